import XCTest

@testable import SpecLanguage

/// How diagnostics are rendered, and the messages about files that cannot be read.
final class DiagnosticTests: XCTestCase {
    func testTerminalEscapesInSpecsAreShownEscaped() {
        // An unknown key written with escape sequences was echoed raw: a spec could drive the terminal.
        let text = "dipolesync: 1\nname: t\n\"\\e[31mred\\e]0;title\\a\": 1\n"
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let d = outcome.diagnostics.first { $0.message.hasPrefix("unknown key") }
        XCTAssertNotNil(d, "\(outcome.diagnostics)")
        let shown = outcome.diagnostics.map { DiagnosticRenderer.text($0, source: outcome.source) }.joined()
        XCTAssertFalse(shown.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, shown)
        XCTAssertTrue(shown.contains("unknown key '\\u{1B}[31mred\\u{1B}]0;title\\u{7}'"), shown)
        // Bidirectional overrides (format characters) are escaped too; ordinary text is untouched.
        XCTAssertEqual(DiagnosticRenderer.printable("a\u{202E}b"), "a\\u{202E}b")
        XCTAssertEqual(DiagnosticRenderer.printable("λ = 0.02 λ, Γ"), "λ = 0.02 λ, Γ")
    }

    func testCaretStaysUnderItsCharacterAfterEscapes() {
        let source = SourceFile(path: "s.yaml", text: "a: \u{1}\u{1}x\n")
        let d = Diagnostic(.error, "here", file: "s.yaml", at: SourceLocation(line: 1, column: 6))
        let lines = DiagnosticRenderer.text(d, source: source).split(separator: "\n")
        XCTAssertEqual(lines[1], "    a: \\u{1}\\u{1}x")
        XCTAssertEqual(
            lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) },
            lines[1].firstIndex(of: "x").map { lines[1].distance(from: lines[1].startIndex, to: $0) })
    }

    func testLongSourceLinesAreShownAsAWindowAroundTheCaret() {
        let line = String(repeating: "[", count: 14_000) + "X" + String(repeating: "]", count: 14_000)
        let source = SourceFile(path: "s.yaml", text: line)
        let d = Diagnostic(.error, "here", file: "s.yaml", at: SourceLocation(line: 1, column: 14_001))
        let lines = DiagnosticRenderer.text(d, source: source).split(separator: "\n")
        XCTAssertLessThanOrEqual(lines[1].count, DiagnosticRenderer.excerptWidth + 6)
        let caret = lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) }
        let x = lines[1].firstIndex(of: "X").map { lines[1].distance(from: lines[1].startIndex, to: $0) }
        XCTAssertEqual(caret, x)
    }

    func testUnreadableFilesSayWhy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.yaml").path
        XCTAssertEqual(SpecCompiler.compile(file: missing).diagnostics.first?.message, "cannot read the file: no such file")
        XCTAssertEqual(SpecCompiler.compile(file: dir.path).diagnostics.first?.message, "cannot read the file: it is a directory")
        let locked = dir.appendingPathComponent("locked.yaml")
        try Data("dipolesync: 1\n".utf8).write(to: locked)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
        if getuid() != 0 {   // root reads anything
            XCTAssertEqual(SpecCompiler.compile(file: locked.path).diagnostics.first?.message, "cannot read the file: permission denied")
        }
        XCTAssertNil(SpecCompiler.unreadableReason(#filePath))
    }

    func testNamedCatalogFoldersMustExist() throws {
        XCTAssertEqual(Catalog.folderProblem("/nonexistent-dipolesync-catalog"), "no such folder")
        XCTAssertEqual(Catalog.folderProblem(#filePath), "it is a file, not a folder")
        XCTAssertNil(Catalog.folderProblem(FileManager.default.temporaryDirectory.path))
    }
}
