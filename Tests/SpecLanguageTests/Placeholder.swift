import XCTest
final class SpecLanguagePlaceholderTests: XCTestCase { func testModuleBuilds() {} }
