import Foundation
import NumericalMethods
import Physics
import Planning
import Results
import SpecLanguage
import XCTest

@testable import Execution

/// A deterministic stand-in backend for the shard and resume tests: closed forms of the uniform
/// model's pump and coupling (so every point differs), seeded noise from (seed, point index), a
/// table, non-finite values and strings that need escaping, so bit-identity is meaningful.
final class TestBackend: Backend, @unchecked Sendable {
    static let name = "test"
    private let lock = NSLock()
    private var solved: [Int] = []
    /// Throw at this point index (a simulated crash part-way through a sweep).
    let failAt: Int?

    init(failAt: Int? = nil) { self.failAt = failAt }

    var solvedPoints: [Int] { lock.lock(); defer { lock.unlock() }; return solved.sorted() }

    func solve(_ r: SolveRequest) throws -> PointResult {
        if r.pointIndex == failAt { throw BackendError.numerical("simulated crash at point \(r.pointIndex)") }
        lock.lock(); solved.append(r.pointIndex); lock.unlock()
        let w = r.model.pump, feff = r.model.feff, gamma = r.model.gamma
        let q = gamma + w, p = w - gamma
        // Z_Q² of the collective model's large-N threshold form: positive where f_eff P > Q².
        let z2 = (feff * p - q * q) / (8 * feff * feff)
        var rng = SeededRandom(seed: r.seed, stream: [UInt64(r.pointIndex)])
        var zq = PointResult()
        ObservableWriter.zq(fromSquare: z2, into: &zq)
        var values = zq.values
        values.append(("inversion", .number(p / (2 * q))))
        values.append(("noise", .number(rng.normal() / 3)))
        values.append(("maybe-nan", .number(r.pointIndex % 3 == 0 ? .nan : -0.0)))
        values.append(("nested", .object([("~key", .string("~tilde")), ("list", .array([.number(1.0 / 3), .null, .bool(true)]))])))
        let rows = (0..<5).map { k -> [Double] in
            let t = Double(k) * 0.1
            return [t, exp(-q * t) * z2, k == 4 ? .infinity : rng.uniform()]
        }
        return PointResult(
            values: values, tables: [ResultTable(name: "timeseries", columns: ["t", "ZQ2", "u"], rows: rows)],
            method: "test closed form", diagnostics: [("steps", .number(Double(r.pointIndex) + 0.5)), ("note", .string("~x"))])
    }
}

enum ShardFixture {
    static let spec = """
        dipolesync: 1
        name: shard-test
        system:
          lattice: {shape: all-to-all, sites: 10}
          couplings: {uniform: {feff: 5 Gamma, geff: 1 Gamma}}
          pump: {rate: 2 Gamma}
        observables: [ZQ, inversion]
        sweep:
          grid:
            system.pump.rate: {from: 0.5 Gamma, to: 9 Gamma, points: 4}
            system.couplings.uniform.feff: {from: 2 Gamma, to: 8 Gamma, points: 3}
        solver: {backend: mean-field, seed: SEED}

        """

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func compile(in dir: URL, seed: Int = 7, name: String = "spec.yaml") throws -> (CompiledSpec, ExecutionPlan) {
        let path = dir.appendingPathComponent(name).path
        try spec.replacingOccurrences(of: "SEED", with: "\(seed)").write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = SpecCompiler.compile(file: path)
        guard let compiled = outcome.compiled, !outcome.hasErrors else {
            throw XCTSkip("fixture does not compile: \(outcome.diagnostics.map(\.message))")
        }
        guard let plan = Planner().plan(compiled).plan else { throw XCTSkip("fixture does not plan") }
        return (compiled, plan)
    }

    static func executor(_ c: CompiledSpec, _ p: ExecutionPlan, _ backend: TestBackend, threads: Int = 2) -> Executor {
        var e = Executor(compiled: c, plan: p, registry: BackendRegistry([.meanField: backend]))
        e.threads = threads
        return e
    }

    /// Writes shard K of N with the test backend; returns its folder.
    @discardableResult
    static func writeShard(_ c: CompiledSpec, _ p: ExecutionPlan, _ s: ShardSpec, into dir: URL, name: String? = nil) throws -> String {
        var e = executor(c, p, TestBackend(), threads: 1)
        e.only = Set(s.indices(of: c.points.count))
        let outcomes = try e.run()
        let contents = ShardBundle.contents(compiled: c, plan: p, shard: s, outcomes: outcomes, threads: 1, totalSeconds: 0.5)
        return try BundleWriter.write(contents, to: dir.appendingPathComponent(name ?? s.folderName).path, force: false)
    }

    /// results.json and every table of a bundle's contents, by path.
    static func resultBytes(_ files: [(path: String, data: Data)]) -> [String: Data] {
        Dictionary(
            files.filter { $0.path == "results.json" || ($0.path.hasPrefix("tables/") && $0.path.hasSuffix(".csv")) }
                .map { ($0.path, $0.data) }, uniquingKeysWith: { a, _ in a })
    }
}
