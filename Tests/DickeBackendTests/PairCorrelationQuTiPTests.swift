import Foundation
import Physics
import TestSupport
import XCTest

@testable import DickeBackend

/// The permutation-symmetric backend's `two-time` (docs/physics.md §6.6) against QuTiP's
/// `correlation_2op_1t` on the full Liouvillian of N = 4 and 5 dipoles (tensor products, the master
/// equation of §1.1 with the terms of §1.5), skipped without QuTiP.
final class PairCorrelationQuTiPTests: XCTestCase {
    static let script = """
        import sys, numpy as np, qutip as qt
        n, feff, geff, delta, w, phi, nr = int(sys.argv[1]), *map(float, sys.argv[2:8])
        taus = [float(t) for t in sys.argv[8].split(",")]
        # destroy(2) takes |1> (up) to |0> (down): sigma^- of one dipole.
        sm = [qt.tensor([qt.destroy(2) if k == a else qt.qeye(2) for k in range(n)]) for a in range(n)]
        sz = [2 * s.dag() * s - 1 for s in sm]
        jm = sum(sm)
        H = sum(delta / 2 * z for z in sz) + geff / (2 * n) * (jm.dag() * jm - sum(s.dag() * s for s in sm))
        c_ops = [np.sqrt(feff / n) * jm] + [np.sqrt(1 + nr - feff / n) * s for s in sm] + [np.sqrt(w) * s.dag() for s in sm]
        if phi > 0:
            c_ops += [np.sqrt(phi / 2) * z for z in sz]
        rho = qt.steadystate(H, c_ops)
        a = sm[0] + sm[1]
        g = qt.correlation_2op_1t(H, rho, taus, c_ops, a.dag(), a, options={"atol": 1e-13, "rtol": 1e-11})
        print(" ".join(f"{float(z.real)!r} {float(z.imag)!r}" for z in g))
        """

    func testPairCorrelationMatchesQuTiP() throws {
        if !Subprocess.pythonHas("qutip") { throw XCTSkip("QuTiP not installed: python3 -c 'import qutip' failed") }
        for (n, feff, geff, delta, w, phi, nr) in [(4, 3.7, 0.9, -0.6, 2.3, 0.4, 0.3), (5, 4.2, 1.6, 0.8, 0.45, 0.0, 0.0)] {
            var model = DipoleModel.collective(n: n, feff: feff, geff: geff, pump: w, detunings: Array(repeating: delta, count: n))
            model.dephasing = phi
            model.nonradiativeDecay = nr
            let res = try DickeBackend().solve(
                SolveRequest(model: model, observables: [.init(kind: .twoTime, tauMax: 2.5, tauPoints: 6)], tolerance: 1e-12))
            let table = try XCTUnwrap(res.tables.first { $0.name == "two-time-0-1" })
            let taus = table.rows.map { "\($0[0])" }.joined(separator: ",")
            let args = ["\(n)", "\(feff)", "\(geff)", "\(delta)", "\(w)", "\(phi)", "\(nr)", taus]
            let out = Subprocess.run(["python3", "-c", Self.script] + args).stdout.split(separator: " ").compactMap {
                Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            XCTAssertEqual(out.count, 2 * table.rows.count, "QuTiP output")
            guard out.count == 2 * table.rows.count else { continue }
            for (k, row) in table.rows.enumerated() {
                XCTAssertEqual(row[1], out[2 * k], accuracy: 1e-8, "N = \(n), τ = \(row[0])")
                XCTAssertEqual(row[2], out[2 * k + 1], accuracy: 1e-8, "N = \(n), τ = \(row[0])")
            }
        }
    }
}
