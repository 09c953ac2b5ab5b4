import Foundation
import Physics
import TestSupport
import XCTest

@testable import DickeBackend

/// Cross-check with QuTiP's PIQS (Shammah et al. 2018) at N = 10 and 30, skipped without QuTiP. The PIQS
/// Liouvillian's steady state is found by one sparse direct solve on the entries it couples (qutip's
/// "direct" steadystate reports a singular matrix for it in QuTiP 5, and "eigen" takes minutes at N = 30).
final class PIQSComparisonTests: XCTestCase {
    static let script = """
        import sys
        import numpy as np, scipy.sparse as sp, scipy.sparse.linalg as spla
        import qutip
        from qutip import piqs
        n, feff, geff, delta, w = int(sys.argv[1]), *map(float, sys.argv[2:6])
        phi, nr = (float(sys.argv[6]), float(sys.argv[7])) if len(sys.argv) > 7 else (0.0, 0.0)
        if phi == 0 and nr == 0:
            system = piqs.Dicke(N=n, emission=1.0 - feff / n, pumping=w, collective_emission=feff / n)
        else:
            # PIQS's local dephasing γ_D is (γ_D/4) Σ_a D[σᶻ_a]: γ_D = 2γ_φ (docs/physics.md §6.4.1).
            system = piqs.Dicke(N=n, emission=1.0 + nr - feff / n, dephasing=2 * phi, pumping=w, collective_emission=feff / n)
        jz = piqs.jspin(n, "z"); jp = piqs.jspin(n, "+"); jm = piqs.jspin(n, "-")
        system.hamiltonian = delta * jz + geff / (2 * n) * (jp * jm - jz - n / 2 * qutip.qeye(jz.dims[0]))
        A = system.liouvillian().data.as_scipy().tocsr().astype(complex)
        dim = int(round(np.sqrt(A.shape[0])))
        keep = np.flatnonzero((np.diff(A.indptr) > 0) | (np.asarray(abs(A).sum(axis=0)).ravel() > 0))
        diag = np.arange(dim) * (dim + 1)
        trace = sp.csr_matrix((np.ones(dim), (np.zeros(dim, dtype=int), diag)), shape=(1, A.shape[0]))[:, keep]
        Ak = A[keep][:, keep]
        b = np.zeros(len(keep), dtype=complex); b[0] = 1
        x = np.zeros(A.shape[0], dtype=complex); x[keep] = spla.spsolve(sp.vstack([trace, Ak[1:]]).tocsc(), b)
        rho = qutip.Qobj(x.reshape((dim, dim), order="F"), dims=system.liouvillian().dims[0])
        ez = qutip.expect(jz, rho); epm = qutip.expect(jp * jm, rho)
        print((epm - ez - n / 2) / (n * (n - 1)), ez / n)
        """

    func run(_ args: [String]) throws -> String {
        Subprocess.run(["python3", "-c", Self.script] + args).stdout
    }

    func testSteadyStateMatchesPIQS() throws {
        if !Subprocess.pythonHas("qutip.piqs") { throw XCTSkip("QuTiP not installed: python3 -c 'import qutip.piqs' failed") }
        for (n, feff, geff, delta, w) in [(10, 6.0, 1.5, 0.3, 3.0), (30, 15.0, 0.0, 0.0, 7.5)] {
            let out = try run(["\(n)", "\(feff)", "\(geff)", "\(delta)", "\(w)"]).split(separator: " ").compactMap {
                Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            XCTAssertEqual(out.count, 2, "PIQS output")
            guard out.count == 2 else { continue }
            let model = DipoleModel.collective(n: n, feff: feff, geff: geff, pump: w, detunings: Array(repeating: delta, count: n))
            let res = try DickeBackend().solve(SolveRequest(model: model, observables: [.init(kind: .zq), .init(kind: .inversion)]))
            XCTAssertEqual(res.number("ZQ2") ?? .nan, out[0], accuracy: 1e-6, "N = \(n)")
            XCTAssertEqual(res.number("inversion") ?? .nan, out[1], accuracy: 1e-6, "N = \(n)")
        }
    }

    /// With local dephasing γ_φ and non-radiative decay γ_nr (docs/physics.md §6.4.1), both on. Measured
    /// agreement: 1e-8 (PIQS computes its rates in single precision).
    func testSteadyStateWithDecoherenceMatchesPIQS() throws {
        if !Subprocess.pythonHas("qutip.piqs") { throw XCTSkip("QuTiP not installed: python3 -c 'import qutip.piqs' failed") }
        for (n, feff, geff, delta, w, phi, nr) in [(10, 6.0, 1.5, 0.3, 3.0, 0.4, 0.3), (30, 15.0, 0.0, 0.0, 7.5, 0.25, 0.5)] {
            let out = try run(["\(n)", "\(feff)", "\(geff)", "\(delta)", "\(w)", "\(phi)", "\(nr)"]).split(separator: " ").compactMap {
                Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            XCTAssertEqual(out.count, 2, "PIQS output")
            guard out.count == 2 else { continue }
            var model = DipoleModel.collective(n: n, feff: feff, geff: geff, pump: w, detunings: Array(repeating: delta, count: n))
            model.dephasing = phi
            model.nonradiativeDecay = nr
            let res = try DickeBackend().solve(SolveRequest(model: model, observables: [.init(kind: .zq), .init(kind: .inversion)]))
            XCTAssertEqual(res.number("ZQ2") ?? .nan, out[0], accuracy: 1e-6, "N = \(n)")
            XCTAssertEqual(res.number("inversion") ?? .nan, out[1], accuracy: 1e-6, "N = \(n)")
            // Without the two terms the answer differs far beyond that accuracy.
            let plain = try DickeBackend().solve(
                SolveRequest(
                    model: .collective(n: n, feff: feff, geff: geff, pump: w, detunings: Array(repeating: delta, count: n)),
                    observables: [.init(kind: .zq)]))
            XCTAssertGreaterThan(abs((plain.number("ZQ2") ?? .nan) - out[0]), 1e-3, "N = \(n)")
        }
    }
}
