import Foundation

/// The markup of figure labels: `_x` or `_{xy}` is a subscript, `^x` or `^{xy}` a superscript
/// (`Z_Q^2`, `S^z`, `F_Q/N`); everything else is plain text. Drawn as SVG `<tspan>`s and written as
/// matplotlib mathtext.
enum MathLabel {
    struct Run: Equatable {
        var text: String
        /// −1 subscript, 0 baseline, +1 superscript.
        var shift: Int
    }

    static func runs(_ label: String) -> [Run] {
        var out: [Run] = []
        var plain = ""
        let chars = Array(label)
        var i = 0
        func flush() { if !plain.isEmpty { out.append(Run(text: plain, shift: 0)); plain = "" } }
        while i < chars.count {
            let c = chars[i]
            if c == "_" || c == "^", i + 1 < chars.count, i > 0, !chars[i - 1].isWhitespace {
                var body = ""
                if chars[i + 1] == "{", let close = chars[(i + 2)...].firstIndex(of: "}") {
                    body = String(chars[(i + 2)..<close])
                    i = close + 1
                } else if chars[i + 1].isLetter || chars[i + 1].isNumber {
                    body = String(chars[i + 1])
                    i += 2
                } else {
                    plain.append(c); i += 1
                    continue
                }
                flush()
                out.append(Run(text: body, shift: c == "_" ? -1 : 1))
                continue
            }
            plain.append(c)
            i += 1
        }
        flush()
        return out
    }

    /// The label as the inside of an SVG `<text>`: sub- and superscripts as smaller `<tspan>`s shifted with `dy`.
    static func svg(_ label: String) -> String {
        var s = ""
        var level = 0
        for r in runs(label) {
            let dy = Double(level - r.shift) * 4
            // Spaces at the edges of a run would be collapsed away between tspans: keep them as no-break spaces.
            var text = SVGPlot.escape(r.text)
            if text.hasPrefix(" ") { text = "\u{00A0}" + text.dropFirst() }
            if text.hasSuffix(" ") { text = text.dropLast() + "\u{00A0}" }
            if r.shift == 0 {
                s += dy == 0 ? text : String(format: "<tspan dy=\"%.0f\">%@</tspan>", dy, text)
            } else {
                s += String(format: "<tspan dy=\"%.0f\" font-size=\"75%%\">%@</tspan>", dy, text)
            }
            level = r.shift
        }
        if level != 0 { s += String(format: "<tspan dy=\"%.0f\"></tspan>", Double(level) * 4) }
        return s
    }

    /// The label as matplotlib text: sub- and superscripts as mathtext `$_{Q}$`, `$^{2}$`.
    static func matplotlib(_ label: String) -> String {
        runs(label).map { r in
            let t = r.text.replacingOccurrences(of: "$", with: "\\$")
            switch r.shift {
            case -1: return "$_{\\mathrm{\(mathSafe(t))}}$"
            case 1: return "$^{\\mathrm{\(mathSafe(t))}}$"
            default: return t
            }
        }.joined()
    }

    private static func mathSafe(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            .replacingOccurrences(of: " ", with: "\\ ")
    }

    /// The label as plain text (for CSV headers and alt texts).
    static func plain(_ label: String) -> String {
        runs(label).map { $0.shift == 0 ? $0.text : ($0.shift < 0 ? "_" : "^") + $0.text }.joined()
    }
}
