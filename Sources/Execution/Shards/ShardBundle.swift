import Foundation
import LinearAlgebra
import Physics
import Planning
import Results
import SpecLanguage
import StandardBackends

/// A shard bundle: what `dipolesync run FILE --shard K/N` writes and `dipolesync merge` reads.
///
/// Layout: `spec.yaml`, `resolved.json`, `plan.json`, `catalog.yaml` (with a species), a partial
/// `results.json` (this shard's points, for a quick look), `points/point-NNNNNN.json` (each point's
/// full outcome in `OutcomeCodec`'s lossless form), and `manifest.json` with `"kind": "shard"`,
/// the shard (K, N, the split rule and its point indices), the program version and source revision,
/// the resolved spec's SHA-256, and the SHA-256 of every other file.
public enum ShardBundle {
    public static let split = "round-robin: point i belongs to shard K of N when i mod N = K - 1"
    public static let trajectorySplit =
        "trajectory points are split into units (base, then blocks of trajectory-block trajectories per ensemble), numbered g over the trajectory points in index order; unit g belongs to shard K of N when g mod N = K - 1; other points as in split"

    public static func contents(
        compiled: CompiledSpec, plan: ExecutionPlan, shard: ShardSpec, outcomes: [PointOutcome],
        units: [TrajectoryUnitResult] = [], split: TrajectorySplit? = nil,
        threads: Int, totalSeconds: Double
    ) -> BundleContents {
        let sorted = outcomes.sorted { $0.index < $1.index }
        var files: [(path: String, data: Data)] = []
        files.append(("spec.yaml", Data(compiled.source.text.utf8)))
        files.append(("resolved.json", Data(JSONWriter.write(compiled.resolved()).utf8)))
        files.append(("plan.json", Data((plan.json() + "\n").utf8)))
        if let s = compiled.base.species { files.append(("catalog.yaml", Data(Catalog.file(holding: [s]).utf8))) }
        files.append(("results.json", Data(JSONWriter.write(ResultsDocument.json(name: compiled.base.name, outcomes: sorted)).utf8)))
        for o in sorted { files.append(("points/" + Checkpoint.pointName(o.index), OutcomeCodec.data(o))) }
        let sortedUnits = units.sorted { $0.unit.global < $1.unit.global }
        for u in sortedUnits { files.append(("units/" + u.unit.name + ".json", TrajectoryUnitCodec.data(u))) }
        var record = BundleManifest.ShardRecord(k: shard.k, n: shard.n, split: Self.split, points: sorted.map(\.index))
        if let sp = split, !sp.isEmpty {
            // Trajectory points are split into units (their base and blocks of trajectories).
            record.trajectorySplit = trajectorySplit
            record.trajectoryBlock = sp.block
            record.trajectoryPoints = sp.points
            record.units = sortedUnits.map(\.unit.name)
        }
        let manifest = BundleManifest.shard(compiled: compiled, shard: record, threads: threads, totalSeconds: totalSeconds, files: files)
        files.append(("manifest.json", manifest.data))
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
        /// Trajectory units (empty for plans without trajectory points).
        public var units: [TrajectoryUnitResult] = []
        /// The trajectory block size and points the shard was split with (nil without trajectory points).
        public var trajectoryBlock: Int?
        public var trajectoryPoints: [Int] = []
        /// The manifest's `libraries` record: the BLAS kernels that computed these points.
        public var libraries: BundleManifest.Libraries
        /// The whole manifest.
        public var manifest: BundleManifest

        /// The build that computed the shard: its source revision (12 digits), marked "modified" when
        /// tracked files had uncommitted changes (two such builds of one revision may differ).
        public var build: String {
            String(revision.prefix(12)) + (manifest.program.sourceModified == true ? " modified" : "")
        }
    }

    /// Reads a shard bundle: every file must match its SHA-256 in the manifest, the manifest must
    /// describe a shard, and every point the shard claims must decode. Errors name the shard.
    public static func load(_ dir: String) throws -> Loaded {
        let listed: [(path: String, sha: String)]
        let m: BundleManifest
        do { (m, listed) = try BundleVerifier.check(dir) } catch {
            throw ShardError.invalid("shard \(dir): \(error)")
        }
        func bad(_ why: String) -> ShardError { ShardError.invalid("shard \(dir): \(why)") }
        guard m.kind == .shard else {
            throw bad("is not a shard bundle (its manifest has no \"kind\": \"shard\"); merge takes the folders `run --shard` wrote")
        }
        guard let record = m.shard, m.spec.points >= 0 else {
            throw bad("manifest.json lacks the spec hash, program version or shard description")
        }
        let shard: ShardSpec
        do { shard = try ShardSpec(k: record.k, n: record.n) } catch { throw bad("\(error)") }
        let points = m.spec.points
        let indices = record.points
        var trajectoryBlock: Int?
        var trajectoryPoints: [Int] = []
        var unitNames: [String] = []
        if let block = record.trajectoryBlock {
            guard block >= 1, let tp = record.trajectoryPoints, let un = record.units else {
                throw bad("manifest.json has a malformed trajectory split")
            }
            trajectoryBlock = block
            trajectoryPoints = tp
            unitNames = un
        }
        let trajectorySet = Set(trajectoryPoints)
        guard indices == shard.indices(of: points).filter({ !trajectorySet.contains($0) }) else {
            throw bad("its points \(short(indices)) are not those of shard \(shard) of \(points) points")
        }
        var outcomes: [PointOutcome] = []
        for i in indices {
            let rel = "points/" + Checkpoint.pointName(i)
            guard listed.contains(where: { $0.path == rel }),
                let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(rel))
            else {
                throw bad("\(rel) is missing")
            }
            let o: PointOutcome
            do { o = try OutcomeCodec.decode(data) } catch { throw bad("\(rel): \(error)") }
            guard o.index == i else { throw bad("\(rel) holds point \(o.index)") }
            outcomes.append(o)
        }
        var units: [TrajectoryUnitResult] = []
        for name in unitNames {
            let rel = "units/" + name + ".json"
            guard listed.contains(where: { $0.path == rel }),
                let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(rel))
            else {
                throw bad("\(rel) is missing")
            }
            let u: TrajectoryUnitResult
            do { u = try TrajectoryUnitCodec.decode(data) } catch { throw bad("\(rel): \(error)") }
            guard u.unit.name == name, u.unit.global % shard.n == shard.k - 1, trajectorySet.contains(u.unit.point) else {
                throw bad("\(rel) holds \(u.unit) (unit \(u.unit.global)), which is not a unit of shard \(shard)")
            }
            units.append(u)
        }
        return Loaded(
            path: dir, identity: SpecIdentity(resolvedSHA256: m.spec.resolvedSHA256, programVersion: m.program.version, points: points),
            name: m.spec.name, revision: m.program.sourceRevision ?? "unknown", shard: shard, outcomes: outcomes,
            threads: m.threads, seconds: m.timings.totalSeconds, host: m.host.name, units: units,
            trajectoryBlock: trajectoryBlock, trajectoryPoints: trajectoryPoints, libraries: m.libraries, manifest: m)
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
            if fm.fileExists(atPath: (a as NSString).appendingPathComponent("manifest.json")),
                OutputTarget.recognised(a) != .submission
            {
                out.append(a); continue
            }
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
            let mergedFrom = shards.map { s in
                BundleManifest.MergedShard(
                    shard: s.shard.description, path: s.path, host: s.host, sourceRevision: s.revision,
                    points: s.outcomes.count, units: s.trajectoryBlock == nil ? nil : s.units.count)
            }
            // The numbers were computed by the shards: record their kernels, not this process's.
            let c = BundleWriter.contents(
                compiled: compiled, plan: plan, outcomes: outcomes, threads: threads, totalSeconds: totalSeconds,
                libraries: shards.first?.libraries ?? .current, mergedFrom: mergedFrom)
            return c
        }
    }

    /// Whether shards can be parts of one run, as `merge` requires before it looks at their points:
    /// one resolved spec and program version, one build (`Loaded.build`: the source revision, and
    /// whether its tracked files had changes), one BLAS kernel set and one trajectory split. A
    /// campaign gathered over weeks therefore runs every shard with one binary
    /// (docs/reproducibility.md §4). Every error names the shards concerned.
    public static func checkOneComputation(_ shards: [Loaded]) throws {
        // Same computation.
        let groups = Dictionary(grouping: shards.indices, by: { shards[$0].identity.resolvedSHA256 + "|" + shards[$0].identity.programVersion })
        if groups.count > 1 {
            let text = groups.values.sorted { $0[0] < $1[0] }.map { g in
                g.map { shards[$0].path }.joined(separator: ", ") + " (\(shards[g[0]].identity))"
            }.joined(separator: "; ")
            throw ShardError.invalid("the shards come from different specs or program versions: \(text)")
        }
        let builds = Set(shards.map(\.build))
        if builds.count > 1 {
            let text = shards.map { "\($0.path) (\($0.build))" }.joined(separator: ", ")
            throw ShardError.invalid("the shards were computed by different builds of dipolesync: \(text)")
        }
        // One arithmetic: points computed with different BLAS kernels would not be those of one run
        // (docs/reproducibility.md).
        let kernels = Dictionary(grouping: shards, by: { ArithmeticRecord(libraries: $0.libraries).summary })
        if kernels.count > 1 {
            let text = kernels.keys.sorted().map { k in "\(k): " + (kernels[k] ?? []).map(\.path).joined(separator: ", ") }.joined(separator: "; ")
            throw ShardError.invalid("the shards were computed with different BLAS kernels (\(text)); rerun the odd ones with the same kernels")
        }
        // One trajectory split.
        let splits = Dictionary(
            grouping: shards.indices,
            by: { i -> String in
                shards[i].trajectoryBlock.map { "block \($0), trajectory points \(short(shards[i].trajectoryPoints))" } ?? "no trajectory split"
            })
        if splits.count > 1 {
            let text = splits.sorted { $0.value[0] < $1.value[0] }.map { k, g in g.map { shards[$0].path }.joined(separator: ", ") + " (\(k))" }
                .joined(separator: "; ")
            throw ShardError.invalid("the shards were split differently: \(text)")
        }
    }

    /// Merges shard bundles. They must be parts of one computation (`checkOneComputation`: spec,
    /// program version, build, BLAS kernels, split), and hold every point exactly once; each point must have run on the backend the
    /// plan names. Every error names the shards concerned.
    ///
    /// Trajectory points (see `TrajectorySplit`) are gathered from their units: every unit of the split
    /// must be present exactly once, all with the same split decision, and the point's result is the
    /// exact backend's reduction of its base and all its trajectories (`registry` gives the backend).
    public static func merge(_ paths: [String], registry: BackendRegistry = .standard) throws -> Merged {
        guard !paths.isEmpty else { throw ShardError.invalid("no shards to merge") }
        let shards = try paths.map(load)
        let first = shards[0]
        try checkOneComputation(shards)
        let trajectoryPoints = Set(first.trajectoryPoints)
        // Every point exactly once.
        let total = first.identity.points
        var owners = [[String]](repeating: [], count: total)
        for s in shards { for o in s.outcomes where o.index < total { owners[o.index].append(s.path) } }
        let duplicated = owners.indices.filter { owners[$0].count > 1 }
        if !duplicated.isEmpty {
            let text = duplicated.prefix(5).map { "point \($0) is in \(owners[$0].joined(separator: " and "))" }.joined(separator: "; ")
            throw ShardError.invalid("points given more than once (\(duplicated.count)): \(text)\(duplicated.count > 5 ? "; …" : "")")
        }
        let missing = owners.indices.filter { owners[$0].isEmpty && !trajectoryPoints.contains($0) }
        if !missing.isEmpty {
            let ns = shards.map(\.shard.n)
            let n = ns.max { a, b in ns.filter { $0 == a }.count < ns.filter { $0 == b }.count } ?? 1
            let absent = Set(missing.map { $0 % n + 1 }).sorted().map { "\($0)/\(n)" }
            throw ShardError.invalid(
                "\(missing.count) of \(total) points are missing (\(short(missing))): shard\(absent.count == 1 ? "" : "s") \(absent.joined(separator: ", ")) not given (given: \(shards.map { "\($0.path) (\($0.shard))" }.joined(separator: ", ")))"
            )
        }
        // The spec, recompiled from the first shard with its archived catalog entry.
        let dir = first.path
        let archived: ArchivedSpec
        do { archived = try ArchivedSpec(folder: dir, manifest: first.manifest) } catch {
            throw ShardError.invalid("shard \(dir): its spec.yaml does not compile any more: \(error)")
        }
        let compiled = archived.compiled
        guard SpecIdentity(compiled) == first.identity else {
            throw ShardError.invalid(
                "shard \(dir): its spec.yaml resolves to \(SpecIdentity(compiled)), not to the \(first.identity) its manifest names")
        }
        if let problem = archived.mismatches.first {
            throw ShardError.invalid("shard \(dir): \(problem)")
        }
        // The plan that ran (the first shard's), else planned again.
        guard let plan = archived.storedPlan ?? Planner().plan(compiled).plan else {
            throw ShardError.invalid("shard \(dir): no plan")
        }
        let backendOf = Dictionary(plan.points.map { ($0.index, $0.backend) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [PointOutcome] = []
        for s in shards {
            for o in s.outcomes {
                guard backendOf[o.index] == o.backend else {
                    throw ShardError.invalid(
                        "shard \(s.path): point \(o.index) ran on \(o.backend.rawValue), but \(first.path) planned \(backendOf[o.index]?.rawValue ?? "nothing") (machines with different memory plan differently; set solver.memory in the spec)"
                    )
                }
                outcomes.append(o)
            }
        }
        if let block = first.trajectoryBlock {
            outcomes += try mergeTrajectoryPoints(shards, compiled: compiled, plan: plan, registry: registry, block: block)
        }
        outcomes.sort { $0.index < $1.index }
        return Merged(
            compiled: compiled, plan: plan, outcomes: outcomes, threads: shards.map(\.threads).max() ?? 1,
            totalSeconds: shards.map(\.seconds).reduce(0, +), shards: shards)
    }

    /// The trajectory points' outcomes: every unit of the split exactly once, reduced per point.
    static func mergeTrajectoryPoints(
        _ shards: [Loaded], compiled: CompiledSpec, plan: ExecutionPlan, registry: BackendRegistry,
        block: Int
    ) throws -> [PointOutcome] {
        let executor = Executor(compiled: compiled, plan: plan, registry: registry, threads: 1)
        let split = try TrajectorySplit(executor: executor, block: block)
        let claimed = shards[0].trajectoryPoints
        guard split.points == claimed else {
            throw ShardError.invalid(
                "shard \(shards[0].path): its trajectory points \(short(claimed)) are not those this dipolesync plans (\(short(split.points)))")
        }
        let n = shards[0].shard.n
        var holders: [String: [(shard: Loaded, unit: TrajectoryUnitResult)]] = [:]
        for s in shards { for u in s.units { holders[u.unit.name, default: []].append((s, u)) } }
        let expected = Set(split.units.map(\.name))
        if let stray = holders.keys.sorted().first(where: { !expected.contains($0) }), let h = holders[stray]?.first {
            throw ShardError.invalid("shard \(h.shard.path): unit \(stray) is not part of this spec's trajectory split")
        }
        var problems: [String] = []
        for u in split.units {
            let h = holders[u.name] ?? []
            let owner = "\(u.global % n + 1)/\(n)"
            if h.isEmpty {
                let given = shards.filter { $0.shard.description == owner }.map(\.path)
                problems.append(
                    "\(u) (unit \(u.global)) is missing: it belongs to shard \(owner), "
                        + (given.isEmpty ? "which was not given" : "but \(given.joined(separator: " and ")) lacks it"))
            } else if h.count > 1 {
                problems.append("\(u) (unit \(u.global)) is given more than once, by \(h.map(\.shard.path).joined(separator: " and "))")
            } else if h[0].unit.unit != u {
                problems.append("shard \(h[0].shard.path): \(h[0].unit.unit) is not the unit \(u) of the split")
            } else if h[0].unit.work != split.work[u.point] {
                problems.append("shard \(h[0].shard.path): \(u) was computed with another split of the point's work")
            }
        }
        if !problems.isEmpty {
            throw ShardError.invalid(
                "trajectory units do not check out (\(problems.count)): " + problems.prefix(5).joined(separator: "; ")
                    + (problems.count > 5 ? "; …" : ""))
        }
        var outcomes: [PointOutcome] = []
        for p in split.points {
            guard let work = split.work[p], let pp = plan.points.first(where: { $0.index == p }),
                let sp = compiled.points.first(where: { $0.index == p }),
                let exact = registry.backend(for: pp.backend) as? any TrajectorySplittingBackend
            else {
                throw ShardError.invalid("point \(p): not a trajectory point of the exact backend")
            }
            let units = split.units.filter { $0.point == p }.compactMap { holders[$0.name]?.first?.unit }
            guard let base = units.first(where: { $0.unit.part == .base })?.base else {
                throw ShardError.invalid("point \(p): its base unit holds no outcome")
            }
            var contributions: [TrajectoryEnsembleKind: [TrajectoryContribution]] = [:]
            for u in units { if case .block(let kind, _, _) = u.unit.part { contributions[kind, default: []] += u.contributions } }
            let result: PointResult
            do {
                result = try exact.reduce(
                    executor.request(for: sp.spec, point: pp, threads: 1), work: work, base: base.result,
                    contributions: contributions)
            } catch {
                let where_ = Set(shards.filter { s in s.units.contains { $0.unit.point == p } }.map(\.path)).sorted()
                throw ShardError.invalid("point \(p) (from \(where_.joined(separator: ", "))): \(error)")
            }
            outcomes.append(
                PointOutcome(
                    index: p, parameters: base.parameters, backend: base.backend, result: result, optimum: nil,
                    seconds: units.reduce(0) { $0 + $1.seconds }))
        }
        return outcomes
    }

    static func short(_ xs: [Int]) -> String {
        xs.count <= 8 ? xs.map(String.init).joined(separator: ", ") : xs.prefix(8).map(String.init).joined(separator: ", ") + ", …"
    }
}
