import Foundation
import LinearAlgebra
import Physics
import Planning
import SpecLanguage

/// A shard bundle: what `dipolesync run FILE --shard K/N` writes and `dipolesync merge` reads.
///
/// Layout: `spec.yaml`, `resolved.json`, `plan.json`, `catalog.yaml` (with a species), a partial
/// `results.json` (this shard's points, for a quick look), `points/point-NNNNNN.json` (each point's
/// full outcome in `OutcomeCodec`'s lossless form), and `manifest.json` with `"kind": "shard"`,
/// the shard (K, N, the split rule and its point indices), the program version and source revision,
/// the resolved spec's SHA-256, and the SHA-256 of every other file.
public enum ShardBundle {
    public static let split = "round-robin: point i belongs to shard K of N when i mod N = K - 1"

    public static func contents(compiled: CompiledSpec, plan: ExecutionPlan, shard: ShardSpec, outcomes: [PointOutcome],
                                threads: Int, totalSeconds: Double) -> BundleContents {
        let identity = SpecIdentity(compiled)
        let sorted = outcomes.sorted { $0.index < $1.index }
        var files: [(path: String, data: Data)] = []
        files.append(("spec.yaml", Data(compiled.source.text.utf8)))
        files.append(("resolved.json", Data(JSONWriter.write(compiled.resolved()).utf8)))
        files.append(("plan.json", Data((plan.json() + "\n").utf8)))
        if let s = compiled.base.species { files.append(("catalog.yaml", Data(Catalog.file(holding: [s]).utf8))) }
        files.append(("results.json", Data(JSONWriter.write(ResultsDocument.json(name: compiled.base.name, outcomes: sorted)).utf8)))
        for o in sorted { files.append(("points/" + Checkpoint.pointName(o.index), OutcomeCodec.data(o))) }
        let src = ProgramInfo.sourceRevision
        let info = ProcessInfo.processInfo
        let manifest = ResultValue.object([
            ("format", .number(Double(ProgramInfo.bundleFormat))),
            ("kind", .string("shard")),
            ("program", .object([("name", .string(ProgramInfo.name)), ("version", .string(ProgramInfo.version)),
                                 ("source-revision", .string(src.revision)), ("source-modified", .bool(src.dirty))])),
            ("spec", .object([("name", .string(compiled.base.name)), ("id", .string(BundleWriter.id(compiled))),
                              ("resolved-sha256", .string(identity.resolvedSHA256)),
                              ("points", .number(Double(identity.points)))])),
            ("shard", .object([("k", .number(Double(shard.k))), ("n", .number(Double(shard.n))), ("split", .string(split)),
                               ("points", .array(sorted.map { .number(Double($0.index)) }))])),
            ("seed", .number(Double(compiled.base.solver.seed))),
            ("libraries", .object([("blas", .string(BLASLibrary.configuration))])),
            ("threads", .number(Double(threads))),
            ("host", .object([("name", .string(info.hostName)), ("cores", .number(Double(info.activeProcessorCount)))])),
            ("created", .string(ISO8601DateFormatter().string(from: Date()))),
            ("timings", .object([("total-seconds", .number(totalSeconds))])),
            ("files", .object(files.map { ($0.path, .string(SHA256.hex([UInt8]($0.data)))) })),
        ])
        files.append(("manifest.json", Data(JSONWriter.write(manifest).utf8)))
        return BundleContents(id: BundleWriter.id(compiled), files: files)
    }

    /// A shard bundle read back and checked against its manifest.
    public struct Loaded {
        public var path: String
        public var identity: SpecIdentity
        public var name: String
        public var revision: String
        public var shard: ShardSpec
        public var outcomes: [PointOutcome]
        public var threads: Int
        public var seconds: Double
        public var host: String
    }

    /// Reads a shard bundle: every file must match its SHA-256 in the manifest, the manifest must
    /// describe a shard, and every point the shard claims must decode. Errors name the shard.
    public static func load(_ dir: String) throws -> Loaded {
        let listed: [(path: String, sha: String)]
        do { listed = try BundleVerifier.verify(dir) } catch {
            throw ShardError.invalid("shard \(dir): \(error)")
        }
        func bad(_ why: String) -> ShardError { ShardError.invalid("shard \(dir): \(why)") }
        let mpath = (dir as NSString).appendingPathComponent("manifest.json")
        guard let mdata = FileManager.default.contents(atPath: mpath), let m = try? JSONWriter.parse(mdata) else {
            throw bad("unreadable manifest.json")
        }
        guard m.field("kind") == .string("shard") else {
            throw bad("is not a shard bundle (its manifest has no \"kind\": \"shard\"); merge takes the folders `run --shard` wrote")
        }
        guard case .string(let sha)? = m.field(["spec", "resolved-sha256"]), case .string(let version)? = m.field(["program", "version"]),
              case .number(let total)? = m.field(["spec", "points"]), let points = Int(exactly: total), points >= 0,
              case .number(let kk)? = m.field(["shard", "k"]), case .number(let nn)? = m.field(["shard", "n"]),
              let k = Int(exactly: kk), let n = Int(exactly: nn),
              case .array(let claimed)? = m.field(["shard", "points"]) else {
            throw bad("manifest.json lacks the spec hash, program version or shard description")
        }
        let shard: ShardSpec
        do { shard = try ShardSpec(k: k, n: n) } catch { throw bad("\(error)") }
        let indices = claimed.compactMap { $0.number.flatMap { Int(exactly: $0) } }
        guard indices.count == claimed.count, indices == shard.indices(of: points) else {
            throw bad("its points \(short(indices)) are not those of shard \(shard) of \(points) points")
        }
        var outcomes: [PointOutcome] = []
        for i in indices {
            let rel = "points/" + Checkpoint.pointName(i)
            guard listed.contains(where: { $0.path == rel }),
                  let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(rel)) else {
                throw bad("\(rel) is missing")
            }
            let o: PointOutcome
            do { o = try OutcomeCodec.decode(data) } catch { throw bad("\(rel): \(error)") }
            guard o.index == i else { throw bad("\(rel) holds point \(o.index)") }
            outcomes.append(o)
        }
        var revision = "unknown"
        if case .string(let r)? = m.field(["program", "source-revision"]) { revision = r }
        var name = ""
        if case .string(let s)? = m.field(["spec", "name"]) { name = s }
        var host = ""
        if case .string(let h)? = m.field(["host", "name"]) { host = h }
        return Loaded(path: dir, identity: SpecIdentity(resolvedSHA256: sha, programVersion: version, points: points),
                      name: name, revision: revision, shard: shard, outcomes: outcomes,
                      threads: m.field("threads")?.number.flatMap { Int(exactly: $0) } ?? 1,
                      seconds: m.field(["timings", "total-seconds"])?.number ?? 0, host: host)
    }

    /// The shard folders named by `arguments`: a shard bundle itself, or a folder whose (non-hidden)
    /// subfolders with a manifest.json are shards (e.g. the folder `submit` writes).
    public static func expand(_ arguments: [String]) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for a in arguments {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: a, isDirectory: &isDir), isDir.boolValue else {
                throw ShardError.invalid("\(a): no such folder")
            }
            if fm.fileExists(atPath: (a as NSString).appendingPathComponent("manifest.json")) { out.append(a); continue }
            let subs = ((try? fm.contentsOfDirectory(atPath: a)) ?? [])
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
                .map { (a as NSString).appendingPathComponent($0) }
                .filter { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("manifest.json")) }
            guard !subs.isEmpty else { throw ShardError.invalid("\(a): neither a shard bundle nor a folder of shard bundles") }
            out += subs
        }
        return out
    }

    /// What `merge` produces: the spec, the plan and every point, ready for `BundleWriter.contents`.
    public struct Merged {
        public var compiled: CompiledSpec
        public var plan: ExecutionPlan
        public var outcomes: [PointOutcome]
        public var threads: Int
        public var totalSeconds: Double
        public var shards: [Loaded]

        /// The bundle: exactly what `run` writes for these outcomes, plus a `merged-from` list in the manifest.
        public func contents() -> BundleContents {
            var c = BundleWriter.contents(compiled: compiled, plan: plan, outcomes: outcomes, threads: threads, totalSeconds: totalSeconds)
            if let i = c.files.firstIndex(where: { $0.path == "manifest.json" }),
               case .object(var m)? = try? JSONWriter.parse(c.files[i].data) {
                m.append(("merged-from", .array(shards.map { s in
                    .object([("shard", .string(s.shard.description)), ("path", .string(s.path)), ("host", .string(s.host)),
                             ("source-revision", .string(s.revision)), ("points", .number(Double(s.outcomes.count)))])
                })))
                c.files[i].data = Data(JSONWriter.write(.object(m)).utf8)
            }
            return c
        }
    }

    /// Merges shard bundles. They must come from the same resolved spec, program version and source
    /// revision, and hold every point exactly once; each point must have run on the backend the
    /// plan names. Every error names the shards concerned.
    public static func merge(_ paths: [String]) throws -> Merged {
        guard !paths.isEmpty else { throw ShardError.invalid("no shards to merge") }
        let shards = try paths.map(load)
        let first = shards[0]
        // Same computation.
        let groups = Dictionary(grouping: shards.indices, by: { shards[$0].identity.resolvedSHA256 + "|" + shards[$0].identity.programVersion })
        if groups.count > 1 {
            let text = groups.values.sorted { $0[0] < $1[0] }.map { g in
                g.map { shards[$0].path }.joined(separator: ", ") + " (\(shards[g[0]].identity))"
            }.joined(separator: "; ")
            throw ShardError.invalid("the shards come from different specs or program versions: \(text)")
        }
        let revisions = Set(shards.map(\.revision))
        if revisions.count > 1 {
            let text = shards.map { "\($0.path) (\($0.revision.prefix(12)))" }.joined(separator: ", ")
            throw ShardError.invalid("the shards were computed by different builds of dipolesync: \(text)")
        }
        // Every point exactly once.
        let total = first.identity.points
        var owners = [[String]](repeating: [], count: total)
        for s in shards { for o in s.outcomes where o.index < total { owners[o.index].append(s.path) } }
        let duplicated = owners.indices.filter { owners[$0].count > 1 }
        if !duplicated.isEmpty {
            let text = duplicated.prefix(5).map { "point \($0) is in \(owners[$0].joined(separator: " and "))" }.joined(separator: "; ")
            throw ShardError.invalid("points given more than once (\(duplicated.count)): \(text)\(duplicated.count > 5 ? "; …" : "")")
        }
        let missing = owners.indices.filter { owners[$0].isEmpty }
        if !missing.isEmpty {
            let ns = shards.map(\.shard.n)
            let n = ns.max { a, b in ns.filter { $0 == a }.count < ns.filter { $0 == b }.count } ?? 1
            let absent = Set(missing.map { $0 % n + 1 }).sorted().map { "\($0)/\(n)" }
            throw ShardError.invalid("\(missing.count) of \(total) points are missing (\(short(missing))): shard\(absent.count == 1 ? "" : "s") \(absent.joined(separator: ", ")) not given (given: \(shards.map { "\($0.path) (\($0.shard))" }.joined(separator: ", ")))")
        }
        // The spec, recompiled from the first shard with its archived catalog entry.
        let dir = first.path
        let specPath = (dir as NSString).appendingPathComponent("spec.yaml")
        guard let bytes = FileManager.default.contents(atPath: specPath) else { throw ShardError.invalid("shard \(dir): spec.yaml is missing") }
        var catalog = Catalog()
        let archived = (dir as NSString).appendingPathComponent("catalog.yaml")
        if FileManager.default.fileExists(atPath: archived) { catalog.load(file: archived) }
        let outcome = SpecCompiler.compile(bytes: Array(bytes), path: specPath, catalog: catalog)
        guard let compiled = outcome.compiled, !outcome.hasErrors else {
            let errors = outcome.diagnostics.filter { $0.severity == .error }.map { $0.message }.prefix(3).joined(separator: "; ")
            throw ShardError.invalid("shard \(dir): its spec.yaml does not compile any more: \(errors)")
        }
        guard SpecIdentity(compiled) == first.identity else {
            throw ShardError.invalid("shard \(dir): its spec.yaml resolves to \(SpecIdentity(compiled)), not to the \(first.identity) its manifest names")
        }
        // The plan that ran (the first shard's), else planned again.
        let planData = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("plan.json")) ?? Data()
        guard let plan = (try? JSONDecoder().decode(ExecutionPlan.self, from: planData)) ?? Planner().plan(compiled).plan else {
            throw ShardError.invalid("shard \(dir): no plan")
        }
        let backendOf = Dictionary(plan.points.map { ($0.index, $0.backend) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [PointOutcome] = []
        for s in shards {
            for o in s.outcomes {
                guard backendOf[o.index] == o.backend else {
                    throw ShardError.invalid("shard \(s.path): point \(o.index) ran on \(o.backend.rawValue), but \(first.path) planned \(backendOf[o.index]?.rawValue ?? "nothing") (machines with different memory plan differently; set solver.memory in the spec)")
                }
                outcomes.append(o)
            }
        }
        outcomes.sort { $0.index < $1.index }
        return Merged(compiled: compiled, plan: plan, outcomes: outcomes, threads: shards.map(\.threads).max() ?? 1,
                      totalSeconds: shards.map(\.seconds).reduce(0, +), shards: shards)
    }

    static func short(_ xs: [Int]) -> String {
        xs.count <= 8 ? xs.map(String.init).joined(separator: ", ") : xs.prefix(8).map(String.init).joined(separator: ", ") + ", …"
    }
}
