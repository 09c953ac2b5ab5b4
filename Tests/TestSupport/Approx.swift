/// `|a − b| ≤ tolerance`, false for NaN: the Swift Testing counterpart of XCTest's
/// `XCTAssertEqual(_:_:accuracy:)`. `#expect(isClose(x, y, within: 1e-10))` shows both values on failure.
public func isClose(_ a: Double, _ b: Double, within tolerance: Double) -> Bool {
    abs(a - b) <= tolerance
}
