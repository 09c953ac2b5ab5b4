import ArgumentParser
import Execution
import Foundation

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge shard bundles (from `run --shard K/N`) into one bundle, identical to a single run's.",
        discussion: """
            Checks that the shards come from the same resolved spec and program version and that every \
            point is present exactly once; prints the bundle's path last.
            """)

    @Argument(help: "Shard bundles, or folders holding them (e.g. the folder `submit` writes).") var shards: [String]
    @Option(help: "Write the bundle exactly into this folder (default: outputs/NAME/ID).") var out: String?
    @Flag(help: "Replace an existing bundle.") var force = false

    func run() throws {
        let merged: ShardBundle.Merged
        do {
            merged = try ShardBundle.merge(try ShardBundle.expand(shards))
        } catch {
            throw failure(error)
        }
        let contents = merged.contents()
        let target = OutputTarget.absolute(out ?? OutputTarget.defaultPath(for: merged.compiled))
        let lock: TargetLock
        do {
            try OutputTarget.checkParentWritable(of: target)
            lock = try TargetLock.acquire(for: target)
            OutputTarget.clearLeftovers(beside: target).forEach(printError)
            try OutputTarget.check(target, kind: .bundle, force: force)
        } catch {
            throw failure(error)
        }
        defer { lock.release() }
        do {
            let path = try BundleWriter.write(contents, to: target, force: force)
            printFigureNotes(contents)
            printError("merged \(merged.shards.count) shard\(merged.shards.count == 1 ? "" : "s"), \(merged.outcomes.count) points")
            print(path)
        } catch {
            throw failure(error)
        }
    }
}
