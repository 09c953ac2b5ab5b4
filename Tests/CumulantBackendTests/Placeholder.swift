import XCTest
final class CumulantBackendPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
