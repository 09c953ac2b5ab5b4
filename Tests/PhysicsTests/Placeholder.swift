import XCTest
final class PhysicsPlaceholderTests: XCTestCase { func testModuleBuilds() {} }
