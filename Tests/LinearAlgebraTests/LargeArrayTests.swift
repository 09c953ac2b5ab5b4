import XCTest

@testable import LinearAlgebra

/// `largeArray` (huge-page advice and a filling split over threads) gives the array `Array(repeating:)`
/// gives, whatever the thread count, below and above its threshold and at sizes the split leaves uneven.
final class LargeArrayTests: XCTestCase {
    func testContentsDoNotDependOnSizeOrThreads() {
        let sizes = [0, 1, 1000, largeArrayThreshold / 8 - 1, largeArrayThreshold / 8, 3 * largeArrayThreshold / 8 + 7]
        for count in sizes {
            let reference = Array(repeating: 1.5, count: count)
            for threads in [1, 2, 3, 8] {
                let a = largeArray(repeating: 1.5, count: count, threads: threads)
                XCTAssertEqual(a.count, count)
                XCTAssertTrue(a == reference, "count \(count), \(threads) threads")
            }
        }
        let matrix = Matrix(rows: 1500, cols: 1001, repeating: -2, threads: 3)
        XCTAssertTrue(matrix.elements.allSatisfy { $0 == -2 } && matrix.elements.count == 1500 * 1001)
        let complex = largeArray(repeating: (1.0, 2.0), count: largeArrayThreshold / 16 + 3, threads: 2)
        XCTAssertTrue(complex.allSatisfy { $0 == (1.0, 2.0) })
    }
}
