import Foundation

/// A 1-based position in a source file.
public struct SourceLocation: Sendable, Equatable, Hashable, Comparable, Codable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public static let start = SourceLocation(line: 1, column: 1)
    public static func < (l: SourceLocation, r: SourceLocation) -> Bool {
        (l.line, l.column) < (r.line, r.column)
    }
}

/// A text file as the user wrote it, kept for printing source lines under diagnostics.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    public let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    public func line(_ n: Int) -> Substring? {
        n >= 1 && n <= lines.count ? lines[n - 1] : nil
    }
}

/// One finding of the front end or the planner: `FILE:LINE:COL: error: message`.
public struct Diagnostic: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning, note
        public static func < (l: Severity, r: Severity) -> Bool {
            l.rank < r.rank
        }
        private var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            }
        }
    }

    public var severity: Severity
    public var message: String
    public var file: String
    public var location: SourceLocation
    /// A suggestion the user can act on ("did you mean 'spacing'?").
    public var hint: String?

    public init(
        _ severity: Severity, _ message: String, file: String = "", at location: SourceLocation,
        hint: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.file = file
        self.location = location
        self.hint = hint
    }

    public static func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, hint: hint)
    }

    public static func warning(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: location, hint: hint)
    }
}

/// Collects diagnostics of one file in the order they are found.
public final class DiagnosticEngine {
    public private(set) var diagnostics: [Diagnostic] = []
    public let file: String
    private var seen = Set<String>()

    public init(file: String) { self.file = file }

    public func emit(_ d: Diagnostic) {
        var d = d
        d.file = file
        // The same finding at the same place is reported once (sweep points re-check the same nodes).
        let key = "\(d.severity)|\(d.location.line)|\(d.location.column)|\(d.message)"
        if seen.insert(key).inserted { diagnostics.append(d) }
    }

    public func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
        emit(.error(message, at: location, hint: hint))
    }

    public func warning(_ message: String, at location: SourceLocation, hint: String? = nil) {
        emit(.warning(message, at: location, hint: hint))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Diagnostics sorted by position (stable for equal positions).
    public var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
            .map(\.element)
    }
}

/// Prints diagnostics the way compilers do, with the source line and a caret.
public enum DiagnosticRenderer {
    public static func text(_ d: Diagnostic, source: SourceFile?, color: Bool = false) -> String {
        let (bold, red, yellow, cyan, reset) =
            color
            ? ("\u{1B}[1m", "\u{1B}[31m", "\u{1B}[33m", "\u{1B}[36m", "\u{1B}[0m") : ("", "", "", "", "")
        let sev: String
        switch d.severity {
        case .error: sev = "\(red)error\(reset)"
        case .warning: sev = "\(yellow)warning\(reset)"
        case .note: sev = "\(cyan)note\(reset)"
        }
        var out = "\(bold)\(printable(d.file)):\(d.location.line):\(d.location.column):\(reset) \(sev): \(bold)\(printable(d.message))\(reset)\n"
        if let line = source?.line(d.location.line) {
            let (text, caretColumn) = sourceExcerpt(line, column: d.location.column)
            out += "    \(text)\n"
            out += "    " + String(repeating: " ", count: caretColumn - 1) + "^\n"
        }
        if let hint = d.hint { out += "    hint: \(printable(hint))\n" }
        return out
    }

    /// Source lines longer than this are shown as a window around the caret.
    static let excerptWidth = 120

    /// `s` with every character a terminal would act on instead of print — control characters
    /// (escape sequences start with U+001B), bidirectional and other format characters, line and
    /// paragraph separators — written as `\u{…}`, so that a spec cannot drive the terminal through
    /// a diagnostic that quotes it.
    public static func printable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        for u in s.unicodeScalars { out += needsEscape(u) ? escape(u) : String(u) }
        return out
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: return true
        default: return false
        }
    }

    static func escape(_ u: Unicode.Scalar) -> String {
        "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
    }

    /// The source line as shown under a diagnostic — tabs as spaces, other non-printable characters
    /// escaped, at most `excerptWidth` characters around the caret — and the caret's column in it.
    static func sourceExcerpt(_ line: Substring, column: Int) -> (text: String, caret: Int) {
        // Each source character becomes one or more shown characters; the caret follows.
        var pieces: [String] = []
        for u in line.unicodeScalars {
            pieces.append(u == "\t" ? " " : needsEscape(u) ? escape(u) : String(u))
        }
        let col = max(1, min(column, pieces.count + 1))
        var start = 0, end = pieces.count
        var prefix = "", suffix = ""
        if pieces.count > excerptWidth {
            start = max(0, min(col - 1 - excerptWidth / 2, pieces.count - excerptWidth))
            end = min(pieces.count, start + excerptWidth)
            if start > 0 { prefix = "…" }
            if end < pieces.count { suffix = "…" }
        }
        let shown = pieces[start..<end]
        let before = pieces[start..<min(max(start, col - 1), end)].reduce(0) { $0 + $1.unicodeScalars.count }
        return (prefix + shown.joined() + suffix, prefix.count + before + 1)
    }

    /// Diagnostics for tools: a JSON array of {file, line, column, severity, message, hint}.
    public static func json(_ ds: [Diagnostic]) -> String {
        let items: [[String: Any]] = ds.map { d in
            var o: [String: Any] = [
                "file": d.file, "line": d.location.line, "column": d.location.column,
                "severity": d.severity.rawValue, "message": d.message
            ]
            if let h = d.hint { o["hint"] = h }
            return o
        }
        let data = (try? JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// "Did you mean …?" by edit distance (Damerau–Levenshtein, case-insensitive).
public enum Suggestions {
    public static func closest(to word: String, in candidates: [String], maxDistance: Int? = nil) -> String? {
        let w = word.lowercased()
        let limit = maxDistance ?? max(2, w.count / 3)
        var best: (String, Int)?
        for c in candidates {
            // Lengths further apart than the limit cannot be within it (and a huge key stays cheap).
            guard abs(w.count - c.count) <= limit else { continue }
            let d = distance(w, c.lowercased())
            if d <= limit && d < (best?.1 ?? .max) { best = (c, d) }
        }
        return best?.0
    }

    public static func hint(for word: String, in candidates: [String]) -> String? {
        closest(to: word, in: candidates).map { "did you mean '\($0)'?" }
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
