import XCTest
final class PlanningPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
