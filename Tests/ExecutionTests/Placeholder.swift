import XCTest
final class ExecutionPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
