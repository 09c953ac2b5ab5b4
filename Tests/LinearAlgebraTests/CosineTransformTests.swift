import Foundation
import XCTest

@testable import LinearAlgebra

/// The lattice cosine transform behind the cumulant backend's lattice preconditioner (docs/physics.md
/// §5.3.1), against its definition evaluated directly.
final class CosineTransformTests: XCTestCase {
    /// Odd and even sides, one to three axes, axes of one site among them.
    static let grids: [[Int]] = [[1], [2], [7], [8], [5, 4], [3, 1, 4], [4, 3, 2]]

    /// A kernel even under d → −d but not along each axis (a tilted dipole's), with k(0) = 0.
    static func kernel(_ dx: Int, _ dy: Int, _ dz: Int) -> Double {
        if dx == 0 && dy == 0 && dz == 0 { return 0 }
        let r = (Double(dx * dx + dy * dy + dz * dz)).squareRoot()
        let c = (0.8 * Double(dx) + 0.6 * Double(dy)) / r
        return (1 - 3 * c * c) / pow(r, 1.5) + 0.3 * Double(dx * dy) / (r * r) + 0.1 * Double(dz * dz)
    }

    /// forward is Σ_a x_a ∏ 2cos(πk(a+½)/n) (FFTW's REDFT10) and inverse undoes it.
    func testForwardIsTheCosineSumAndInverseUndoesIt() {
        for grid in Self.grids {
            let t = CosineTransform(extents: grid)
            let x = (0..<t.count).map { sin(1.3 * Double($0) + 0.2) }
            var y = x
            y.withUnsafeMutableBufferPointer { t.forward($0.baseAddress!) }
            let axes = grid.filter { $0 > 1 }.count
            for k in 0..<t.count {
                let phi = t.basisVector(k)
                let direct = zip(phi, x).map { $0 * $1 }.reduce(0, +) * pow(2, Double(axes))
                XCTAssertEqual(y[k], direct, accuracy: 1e-12 * Double(t.count), "\(grid) mode \(k)")
            }
            y.withUnsafeMutableBufferPointer { t.inverse($0.baseAddress!) }
            for i in 0..<t.count { XCTAssertEqual(y[i], x[i], accuracy: 1e-13, "\(grid) site \(i)") }
        }
    }

    /// The basis vectors are orthogonal with the norms `orthonormalScales` assumes.
    func testBasisIsOrthogonalWithTheStatedNorms() {
        for grid in Self.grids {
            let t = CosineTransform(extents: grid)
            let axes = Double(grid.filter { $0 > 1 }.count)
            let scales = t.orthonormalScales
            let basis = (0..<t.count).map(t.basisVector)
            for k in 0..<t.count {
                for l in 0..<t.count {
                    let dot = zip(basis[k], basis[l]).map { $0 * $1 }.reduce(0, +)
                    let expected = k == l ? pow(scales[k] / pow(2, axes), 2) : 0
                    XCTAssertEqual(dot, expected, accuracy: 1e-12, "\(grid) modes \(k), \(l)")
                }
            }
        }
    }

    /// μ_k = φ_kᵀ T φ_k / φ_kᵀ φ_k for the Toeplitz T_ab = k(r_a − r_b), summed directly.
    func testRayleighQuotientsAreTheDiagonalOfTheToeplitzMatrix() {
        for grid in Self.grids {
            let t = CosineTransform(extents: grid)
            let e = t.extents
            func site(_ i: Int) -> (Int, Int, Int) { (i % e[0], (i / e[0]) % e[1], i / (e[0] * e[1])) }
            let mu = t.rayleighQuotients(Self.kernel)
            XCTAssertEqual(mu.count, t.count)
            var largest = 0.0
            for k in 0..<t.count {
                let phi = t.basisVector(k)
                var num = 0.0
                for a in 0..<t.count {
                    for b in 0..<t.count {
                        let (ra, rb) = (site(a), site(b))
                        num += phi[a] * phi[b] * Self.kernel(ra.0 - rb.0, ra.1 - rb.1, ra.2 - rb.2)
                    }
                }
                let direct = num / phi.map { $0 * $0 }.reduce(0, +)
                largest = max(largest, abs(direct))
                XCTAssertEqual(mu[k], direct, accuracy: 1e-12, "\(grid) mode \(k)")
            }
            if t.count > 1 { XCTAssertGreaterThan(largest, 0.1, "\(grid): a kernel the test can see") }
        }
    }
}
