import LinearAlgebra
import NumericalMethods
import Numerics
import TestSupport
import XCTest

@testable import CumulantBackend
@testable import Physics

/// The cumulant right-hand side against exact moments Tr(O L[ρ]) of the dense master equation.
final class EquationsTests: XCTestCase {
    /// N = 2 has no three-point terms: for any U(1)-invariant state the closed equations are exact.
    func testRightHandSideIsExactForTwoDipoles() {
        var rng = SeededRandom(seed: 11)
        for trial in 0..<6 {
            let model = DenseReference.randomModel(n: 2, rng: &rng, elastic: trial % 2 == 0, detuned: trial % 3 != 0)
            let ref = DenseReference(model: model)
            let rho = DenseReference.randomU1State(n: 2, rng: &rng)
            let exact = ref.packedMoments(ref.lindblad(rho))
            let system = CumulantSystem(model: model)
            var rhs = [Double](repeating: 0, count: system.packedCount)
            system.rhs(ref.packedMoments(rho), into: &rhs)
            for i in exact.indices { XCTAssertEqual(rhs[i], exact[i], accuracy: 1e-12, "trial \(trial) component \(i)") }
        }
    }

    /// N = 3: exact derivative − closed equations = the three-point cumulant terms the closure drops,
    /// ½ Σ_c K*_ac (⟨σᶻ_a σ⁺_c σ⁻_b⟩ − s_a C_cb) + ½ Σ_c K_bc (⟨σᶻ_b σ⁺_a σ⁻_c⟩ − s_b C_ac) for C and
    /// −2 Σ_c Re K_ac (⟨σᶻ_b σ⁺_a σ⁻_c⟩ − s_b C_ac) − 2 Σ_c Re K_bc (⟨σᶻ_a σ⁺_b σ⁻_c⟩ − s_a C_bc) for D.
    /// This checks the unclosed equations of docs/physics.md §5.1–§5.2 term by term.
    func testThreeDipoleEquationsDifferOnlyByThreePointCumulants() {
        var rng = SeededRandom(seed: 12)
        let n = 3
        for trial in 0..<4 {
            let model = DenseReference.randomModel(n: n, rng: &rng)
            let ref = DenseReference(model: model)
            let rho = DenseReference.randomU1State(n: n, rng: &rng)
            let m = ref.packedMoments(rho)
            let exact = ref.packedMoments(ref.lindblad(rho))
            let system = CumulantSystem(model: model)
            var rhs = [Double](repeating: 0, count: system.packedCount)
            system.rhs(m, into: &rhs)
            func k(_ a: Int, _ b: Int) -> Complex<Double> { a == b ? .zero : Complex(model.f[a, b], model.g[a, b]) }
            func c(_ a: Int, _ b: Int) -> Complex<Double> { system.c(m, a, b) }
            for a in 0..<n { XCTAssertEqual(rhs[a], exact[a], accuracy: 1e-12) }
            var idx = n
            for b in 0..<n {
                for a in 0..<b {
                    var dc = Complex<Double>.zero, dd = 0.0
                    for cc in 0..<n where cc != a && cc != b {
                        dc = dc + k(a, cc).conjugate * (ref.threePoint(a, cc, b, rho) - c(cc, b) * Complex(m[a])) * Complex(0.5)
                        dc = dc + k(b, cc) * (ref.threePoint(b, a, cc, rho) - c(a, cc) * Complex(m[b])) * Complex(0.5)
                        dd -= 2 * (k(a, cc) * (ref.threePoint(b, a, cc, rho) - c(a, cc) * Complex(m[b]))).real
                        dd -= 2 * (k(b, cc) * (ref.threePoint(a, b, cc, rho) - c(b, cc) * Complex(m[a]))).real
                    }
                    XCTAssertGreaterThan(dc.length + abs(dd), 1e-3, "a random state has three-point cumulants")
                    XCTAssertEqual(exact[idx] - rhs[idx], dc.real, accuracy: 1e-12, "trial \(trial) Re C_\(a)\(b)")
                    XCTAssertEqual(exact[idx + 1] - rhs[idx + 1], dc.imaginary, accuracy: 1e-12, "Im C_\(a)\(b)")
                    XCTAssertEqual(exact[idx + 2] - rhs[idx + 2], dd, accuracy: 1e-12, "D_\(a)\(b)")
                    idx += 3
                }
            }
        }
    }

    /// The right-hand side is quadratic, so the central difference (F(x+v) − F(x−v))/2 equals J·v exactly.
    func testJacobianProductIsTheExactLinearization() {
        var rng = SeededRandom(seed: 13)
        for elastic in [false, true] {
            let model = DenseReference.randomModel(n: 7, rng: &rng, elastic: elastic, detuned: elastic)
            let system = CumulantSystem(model: model)
            let x = (0..<system.packedCount).map { _ in rng.normal() }
            let v = (0..<system.packedCount).map { _ in rng.normal() }
            var fp = x, fm = x, jv = x
            system.rhs(zip(x, v).map { $0 + $1 }, into: &fp)
            system.rhs(zip(x, v).map { $0 - $1 }, into: &fm)
            system.rhs(x, into: &jv)
            var y = Matrix(rows: 7, cols: 14)
            system.jacobianTimes(x, v, scratch: &y, into: &jv)
            for i in x.indices { XCTAssertEqual(jv[i], (fp[i] - fm[i]) / 2, accuracy: 1e-11) }
        }
    }
}
