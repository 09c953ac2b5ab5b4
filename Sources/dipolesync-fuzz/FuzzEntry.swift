import Foundation
import Physics
import Planning
import Results
import SpecLanguage

// A coverage-guided fuzz target over the front end: arbitrary bytes → YAML reader → spec compiler →
// (when it compiles) planner and the plan's printouts, with every diagnostic rendered. Any trap, stack
// overflow or hang is a bug: every input must end in diagnostics or a plan. Built by `scripts/fuzz`
// with `-sanitize=fuzzer -D FUZZING` (libFuzzer supplies main); without FUZZING it is a replay tool:
// `dipolesync-fuzz FILE...` runs the same steps on each file (to reproduce a crash in a debugger).

/// The shipped catalog, read once (species make more of the compiler reachable).
let fuzzCatalog: Catalog = {
    var c = Catalog()
    if let folder = SpecCompiler.shippedCatalog() { c.load(folder: folder) }
    return c
}()

/// One input through the whole front end.
func exercise(_ bytes: [UInt8]) {
    let outcome = SpecCompiler.compile(bytes: bytes, path: "fuzz.yaml", catalog: fuzzCatalog)
    for d in outcome.diagnostics { _ = DiagnosticRenderer.text(d, source: outcome.source) }
    _ = DiagnosticRenderer.json(outcome.diagnostics)
    guard let compiled = outcome.compiled, !outcome.hasErrors else { return }
    // Printouts whose size grows with the points (JSON of every point) are exercised on sweeps of
    // up to `largePrintouts` points: beyond, they are slow in proportion, which is not a finding.
    let largePrintouts = 10_000
    let small = compiled.points.count <= largePrintouts
    if small {
        // The resolved spec (a bundle's resolved.json) written and read back.
        let resolved = JSONWriter.write(compiled.resolved(), pretty: false)
        _ = try? JSONWriter.parse(Data(resolved.utf8))
    }
    let planned = Planner().plan(compiled)
    for d in planned.diagnostics { _ = DiagnosticRenderer.text(d, source: outcome.source) }
    if let plan = planned.plan {
        _ = plan.text()
        if small {
            _ = plan.json()
            _ = plan.dot()
        }
    }
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        exercise(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's driver (in the runtime that -sanitize=fuzzer links).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's `main` to `<module>_main`; here that hands over to libFuzzer.
    @_cdecl("dipolesync_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var args = argv
        return LLVMFuzzerRunDriver(&count, &args) { data, size in fuzzOneInput(data, size) }
    }
#else
    @main
    struct Replay {
        static func main() {
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                    exit(2)
                }
                exercise(Array(data))
                print("\(path): ok")
            }
        }
    }
#endif
