import ArgumentParser
import Execution
import Foundation
import SpecLanguage

struct Redraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a bundle's pictures again from its stored results, without computing (prints the bundle's path last).",
        discussion: """
            The pictures, their data and scripts, and index.html are drawn by this dipolesync from the \
            bundle's results.json and tables; every other file keeps its bytes and the manifest records \
            the redraw. With --spec, the pictures follow that spec's `figures:` section, and it becomes \
            the bundle's spec.yaml: it must describe the same experiment (the same bundle ID), differing \
            only in `figures:` or comments. `from:` overlays are looked up from the \
            working directory, as `run` does.
            """)

    @Argument(help: "A bundle folder (from `run` or `merge`).") var bundle: String
    @Option(help: "A spec file whose `figures:` to draw; it becomes the bundle's spec.yaml.") var spec: String?
    @Option(help: "Write the redrawn bundle into this folder instead of replacing the bundle in place.") var out: String?
    @Flag(help: "With --out: replace an existing bundle there.") var force = false

    func run() throws {
        let stored: StoredBundle
        let compiled: CompiledSpec
        do {
            stored = try StoredBundle(folder: bundle)
            compiled = try spec.map { try ArchivedSpec.compile(bundle, specPath: $0) } ?? stored.archived.compiled
        } catch {
            throw failure(error)
        }
        let id = BundleWriter.id(compiled)
        if id != stored.manifest.spec.id {
            printError(
                "error: \(spec ?? bundle) describes another experiment (bundle ID \(id), the bundle's is \(stored.manifest.spec.id)): redraw changes only pictures; run the spec to compute its results"
            )
            throw ExitStatus.invalid
        }
        let contents = BundleWriter.redrawn(stored, compiled: compiled)
        let inPlace = out == nil
        let target = OutputTarget.absolute(out ?? bundle)
        let lock: TargetLock
        do {
            try OutputTarget.checkParentWritable(of: target)
            lock = try TargetLock.acquire(for: target)
            OutputTarget.clearLeftovers(beside: target).forEach(printError)
            if !inPlace { try OutputTarget.check(target, kind: .bundle, force: force) }
        } catch {
            throw failure(error)
        }
        defer { lock.release() }
        do {
            let path = try BundleWriter.write(contents, to: target, force: inPlace || force)
            printFigureNotes(contents)
            if spec == nil && !contents.notes.isEmpty && compiled.base.figures.contains(where: { $0.series.contains { $0.source != .this } }) {
                printError(
                    "note: `from:` paths in the bundle's spec.yaml are looked up beside the bundle; pass the original spec with --spec to look them up beside it"
                )
            }
            let figures = contents.files.filter { $0.path.hasPrefix("figures/") && $0.path.hasSuffix(".svg") }.count
            printError("redrew \(figures) figure\(figures == 1 ? "" : "s") from \(stored.outcomes.count) stored points")
            print(path)
        } catch {
            throw failure(error)
        }
    }
}
