import XCTest
final class MeanFieldBackendPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
