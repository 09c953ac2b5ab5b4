import ArgumentParser
import Execution
import Foundation
import Planning
import SpecLanguage

struct DipolesyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dipolesync",
        abstract: "Compile and run declarative experiments on arrays of radiating quantum dipoles.",
        version: ProgramInfo.version,
        subcommands: [Validate.self, Plan.self, Run.self, Rerun.self, Redraw.self, Submit.self, Merge.self, Schema.self])

    /// Every way the program ends goes through `ExitStatus` (usage errors exit 2, where
    /// ArgumentParser's validation errors would use 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            Foundation.exit(ExitStatus.finish(error))
        }
    }
}

/// Writes to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
}

/// The figures' notes of a bundle just written (`run`, `merge`, `redraw`), each on standard error as
/// `warning: figure 'NAME': TEXT`: the one place they are printed, beside the red line in the SVG.
func printFigureNotes(_ contents: BundleContents) {
    for n in contents.notes { printError("warning: \(n)") }
}

/// Options shared by the commands that read specs.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("catalog"), help: "A folder of extra catalog files (repeatable).")
    var catalogs: [String] = []

    /// A named catalog folder must exist: a typo would otherwise silently drop its species (exit 2).
    func validate() throws {
        for c in catalogs {
            if let why = Catalog.folderProblem(c) { throw ValidationError("--catalog \(c): \(why)") }
        }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of the spec language.")
    func run() throws { print(JSONSchemaExport.schema(), terminator: "") }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check specs offline and report every problem.")

    @Argument(help: "Spec files.") var files: [String]
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var catalog: CatalogOptions

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        var all: [Diagnostic] = []
        var failed = false
        let color = diagnosticsInColor
        for f in files {
            let outcome = SpecCompiler.compile(file: f, catalogFolders: catalog.catalogs)
            var diagnostics = outcome.diagnostics
            // The planner's checks are part of validation: a forced backend that cannot represent the
            // model, observables no backend delivers at this size, a rate matrix that is not PSD.
            if let compiled = outcome.compiled { diagnostics += Planner().plan(compiled).diagnostics }
            let hasErrors = diagnostics.contains { $0.severity == .error }
            all += diagnostics
            failed = failed || hasErrors
            if format == .text {
                for d in diagnostics {
                    printError(DiagnosticRenderer.text(d, source: d.file == f ? outcome.source : nil, color: color))
                }
                if !hasErrors {
                    let n = outcome.compiled?.points.count ?? 0
                    print("\(f): ok (\(n) point\(n == 1 ? "" : "s"))")
                }
            }
        }
        if format == .json { print(DiagnosticRenderer.json(all)) }
        if failed { throw ExitStatus.invalid }
    }
}
