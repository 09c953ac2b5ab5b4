import XCTest
final class DickeBackendPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
