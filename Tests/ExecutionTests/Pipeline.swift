import Planning
import XCTest

@testable import Execution
@testable import SpecLanguage

/// Compiles and plans a spec given as text (no catalog), failing the test with the diagnostics.
func compileAndPlan(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (CompiledSpec, ExecutionPlan) {
    let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
    let c = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))", file: file, line: line)
    let planned = Planner().plan(c)
    let p = try XCTUnwrap(planned.plan, "\(planned.diagnostics.map(\.message))", file: file, line: line)
    return (c, p)
}

/// Runs every point of a spec with the standard backends, in point order.
func runPipeline(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [PointOutcome] {
    let (c, p) = try compileAndPlan(text, file: file, line: line)
    return try Executor(compiled: c, plan: p, registry: .standard).run().sorted { $0.index < $1.index }
}
