import ArgumentParser
import Execution
import Foundation
import Planning
import SpecLanguage

/// Diagnostics on standard error are coloured on a terminal, unless NO_COLOR is set.
var diagnosticsInColor: Bool { isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

/// Compiles a spec into its plan and prints it; run executes this very object. `target` gives the
/// folder the bundle would be written to, whose free space the planner checks (`Planner.disk`).
func compileAndPlan(
    _ file: String, catalogs: [String], target: ((CompiledSpec) -> String)? = nil
) throws -> (CompiledSpec, ExecutionPlan) {
    let outcome = SpecCompiler.compile(file: file, catalogFolders: catalogs)
    let color = diagnosticsInColor
    for d in outcome.diagnostics { printError(DiagnosticRenderer.text(d, source: d.file == file ? outcome.source : nil, color: color)) }
    guard let compiled = outcome.compiled, !outcome.hasErrors else { throw ExitStatus.invalid }
    var planner = Planner()
    planner.disk = target.flatMap { DiskSpace.of(OutputTarget.absolute($0(compiled))) }
    let planned = planner.plan(compiled)
    for d in planned.diagnostics { printError(DiagnosticRenderer.text(d, source: outcome.source, color: color)) }
    guard let plan = planned.plan else { throw ExitStatus.invalid }
    return (compiled, plan)
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the plan graph, the backend chosen for each point and why, and cost estimates.")

    @Argument(help: "A spec file.") var file: String
    @Option(help: "text, json or dot.") var format: Format = .text
    @OptionGroup var catalog: CatalogOptions

    enum Format: String, ExpressibleByArgument { case text, json, dot }

    func run() throws {
        // The disk is checked where `run` would write by default.
        let (_, plan) = try compileAndPlan(file, catalogs: catalog.catalogs, target: { OutputTarget.defaultPath(for: $0) })
        switch format {
        case .text: print(plan.text(), terminator: "")
        case .json: print(plan.json())
        case .dot: print(plan.dot(), terminator: "")
        }
    }
}
