import Testing
import XCTest

@testable import Physics

final class GeometryTests: XCTestCase {
    func testPositionsFollowSiteOrder() {
        let cubic = Lattice.cubic(2, 3, 4).unitPositions
        for iz in 0..<4 {
            for iy in 0..<3 {
                for ix in 0..<2 {
                    XCTAssertEqual(cubic[ix + 2 * (iy + 3 * iz)], SIMD3(Double(ix), Double(iy), Double(iz)))
                }
            }
        }
        let chain = Lattice.chain(4).unitPositions
        XCTAssertEqual(chain, [SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(2, 0, 0), SIMD3(3, 0, 0)])
        // Triangular: every site's nearest neighbours are at distance 1 (6 in the bulk).
        let tri = Lattice.triangular(5, 5).unitPositions
        let bulk = tri[2 + 5 * 2]
        let near = tri.filter { p in
            let d = p - bulk; return abs((d * d).sum().squareRoot() - 1) < 1e-12
        }
        XCTAssertEqual(near.count, 6)
        XCTAssertEqual(tri[5].y, 3.0.squareRoot() / 2, accuracy: 1e-15)
        XCTAssertEqual(tri[5].x, 0.5, accuracy: 1e-15)
    }
}

/// Site order index = ix + nx·(iy + ny·iz), central dipole (⌊nx/2⌋, ⌊ny/2⌋, ⌊nz/2⌋), clusters along x
/// from the central dipole (docs/spec-language.md §4.2, §6); one test per lattice.
@Suite struct LatticeTableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let lattice: Lattice
        let count: Int
        let central: Int
        let clusters: [Int: [Int]?]
        var testDescription: String { "\(lattice)" }
    }

    static let cases: [Case] = [
        Case(lattice: .chain(5), count: 5, central: 2, clusters: [1: [2], 3: [2, 3, 4], 4: nil]),
        Case(lattice: .chain(6), count: 6, central: 3, clusters: [3: [3, 4, 5], 4: nil]),
        Case(lattice: .square(3, 2), count: 6, central: 4, clusters: [2: [4, 5], 3: nil]),
        Case(lattice: .cubic(2, 3, 4), count: 24, central: 15, clusters: [1: [15], 2: nil]),
        Case(lattice: .triangular(4, 3), count: 12, central: 6, clusters: [2: [6, 7], 3: nil]),
        Case(lattice: .allToAll(7), count: 7, central: 3, clusters: [4: [3, 4, 5, 6], 5: nil]),
        Case(
            lattice: .positions([SIMD3(0, 0, 0), SIMD3(1, 2, 3), SIMD3(-1, 0, 0)]), count: 3, central: 1,
            clusters: [2: [1, 2]])
    ]

    @Test(arguments: cases) func siteCountCentralDipoleAndClusters(_ c: Case) {
        #expect(c.lattice.count == c.count)
        #expect(c.lattice.centralIndex == c.central)
        for (d, expected) in c.clusters { #expect(c.lattice.cluster(size: d) == expected, "d = \(d)") }
        #expect(c.lattice.cluster(size: 0) == nil)
        if case .allToAll = c.lattice { #expect(c.lattice.unitPositions.isEmpty) } else { #expect(c.lattice.unitPositions.count == c.count) }
    }
}
