import Foundation
import LinearAlgebra
import Numerics
import Physics
import TestSupport
import XCTest

@testable import ExactBackend

/// Cross-check against QuTiP's `steadystate` (skipped when QuTiP is not installed).
final class QuTiPTests: XCTestCase {
    static func python(_ script: String, input: Data) throws -> Data {
        let r = Subprocess.run(["python3", script], input: input)
        if r.status != 0 {
            if r.stderr.contains("No module named 'qutip'") { throw XCTSkip("QuTiP not installed: \(r.stderr)") }
            throw NSError(domain: "python", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr])
        }
        return Data(r.stdout.utf8)
    }

    func testSteadyStateMatchesQuTiP() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("exact_qutip_steadystate_\(getpid()).py").path
        try QuTiPTests.script.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        for (n, w) in [(3, 1.2), (4, 2.5)] {
            let model = DenseReference.randomModel(n: n, seed: UInt64(60 + n), pump: w)
            var f: [Double] = [], g: [Double] = []
            for a in 0..<n { for b in 0..<n { f.append(model.f[a, b]); g.append(model.g[a, b]) } }
            let payload: [String: Any] = ["n": n, "f": f, "g": g, "delta": model.detunings, "W": w]
            let out = try QuTiPTests.python(script, input: try JSONSerialization.data(withJSONObject: payload))
            guard let json = try JSONSerialization.jsonObject(with: out) as? [String: [Double]],
                let re = json["c_re"], let im = json["c_im"]
            else { return XCTFail("bad QuTiP output") }
            let l = BlockLiouvillian(model: model)
            let mom = SecondMoments(try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho, basis: l.basis)
            for a in 0..<n {
                for b in 0..<n {
                    XCTAssertEqual(mom.c[a, b].real, re[a * n + b], accuracy: 1e-8)
                    XCTAssertEqual(mom.c[a, b].imaginary, im[a * n + b], accuracy: 1e-8)
                }
            }
        }
    }

    static let script = #"""
        # Reference steady state of the dipole master equation (docs/physics.md §1.1) with QuTiP, and the
        # single-dipole terms of §1.5 when given. stdin: JSON {"n", "f" (row-major N*N), "g", "delta", "W",
        # optional "phi", "nr"}; stdout: JSON {"c_re", "c_im"} with C_ab = <sigma+_a sigma-_b> (populations
        # on the diagonal), row-major.
        import json, sys
        import numpy as np
        import qutip as qt

        p = json.load(sys.stdin)
        n = p["n"]
        f = np.array(p["f"]).reshape(n, n)
        g = np.array(p["g"]).reshape(n, n)
        delta = p["delta"]
        W = p["W"]

        def op(single, a):
            ops = [qt.qeye(2)] * n
            ops[a] = single
            return qt.tensor(ops)

        sm = [op(qt.destroy(2), a) for a in range(n)]   # |1> = up, |0> = down
        sp = [s.dag() for s in sm]
        sz = [2 * sp[a] * sm[a] - 1 for a in range(n)]
        H = sum(0.5 * delta[a] * sz[a] for a in range(n))
        for a in range(n):
            for b in range(n):
                if a != b:
                    H += 0.5 * g[a, b] * sp[a] * sm[b]
        lam, vec = np.linalg.eigh(f)
        c_ops = [np.sqrt(max(l, 0)) * sum(vec[b, mu] * sm[b] for b in range(n)) for mu, l in enumerate(lam) if l > 1e-14]
        if W > 0:
            c_ops += [np.sqrt(W) * sp[a] for a in range(n)]
        if p.get("phi", 0) > 0:
            c_ops += [np.sqrt(p["phi"] / 2) * sz[a] for a in range(n)]
        if p.get("nr", 0) > 0:
            c_ops += [np.sqrt(p["nr"]) * sm[a] for a in range(n)]
        rho = qt.steadystate(H, c_ops)
        c = np.array([[qt.expect(sp[a] * sm[b], rho) for b in range(n)] for a in range(n)])
        print(json.dumps({"c_re": c.real.flatten().tolist(), "c_im": c.imag.flatten().tolist()}))
        """#
}
