import XCTest
import Foundation
import Numerics
import LinearAlgebra
import Physics
@testable import ExactBackend

/// Cross-check against QuTiP's `steadystate` (skipped when QuTiP is not installed).
final class QuTiPTests: XCTestCase {
    static func python(_ script: String, input: Data) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script]
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe; p.standardOutput = outPipe; p.standardError = errPipe
        try p.run()
        inPipe.fileHandleForWriting.write(input)
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            let msg = String(decoding: err, as: UTF8.self)
            if msg.contains("No module named 'qutip'") { throw XCTSkip("QuTiP not installed: \(msg)") }
            throw NSError(domain: "python", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: msg])
        }
        return out
    }

    func testSteadyStateMatchesQuTiP() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("qutip_steadystate.py").path
        for (n, w) in [(3, 1.2), (4, 2.5)] {
            let model = DenseReference.randomModel(n: n, seed: UInt64(60 + n), pump: w)
            var f: [Double] = [], g: [Double] = []
            for a in 0..<n { for b in 0..<n { f.append(model.f[a, b]); g.append(model.g[a, b]) } }
            let payload: [String: Any] = ["n": n, "f": f, "g": g, "delta": model.detunings, "W": w]
            let out = try QuTiPTests.python(script, input: try JSONSerialization.data(withJSONObject: payload))
            guard let json = try JSONSerialization.jsonObject(with: out) as? [String: [Double]],
                  let re = json["c_re"], let im = json["c_im"] else { return XCTFail("bad QuTiP output") }
            let l = BlockLiouvillian(model: model)
            let mom = SecondMoments(try SteadyStateSolver(tolerance: 1e-12).solve(l).rho, basis: l.basis)
            for a in 0..<n { for b in 0..<n {
                XCTAssertEqual(mom.c[a, b].real, re[a * n + b], accuracy: 1e-8)
                XCTAssertEqual(mom.c[a, b].imaginary, im[a * n + b], accuracy: 1e-8)
            } }
        }
    }
}
