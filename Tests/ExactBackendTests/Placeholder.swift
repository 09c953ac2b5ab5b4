import XCTest
final class ExactBackendPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
