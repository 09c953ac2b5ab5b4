import Foundation

/// The markup of figure labels: `_word` or `_{any text}` is a subscript, `^word` or `^{any text}` a
/// superscript, a word being a run of letters and digits (`Z_Q^2`, `S^z`, `f_eff/Γ`, `γ_{nr}/Γ`);
/// everything else is plain text. Drawn as SVG `<tspan>`s and written as
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
                    var j = i + 1
                    while j < chars.count && (chars[j].isLetter || chars[j].isNumber) { j += 1 }
                    body = String(chars[(i + 1)..<j])
                    i = j
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

    /// The label as the inside of an SVG `<text>`: sub- and superscripts as smaller `<tspan>`s shifted
    /// with `dy`. A space at the edge of a run would be collapsed between tspans: it becomes a `dx` gap.
    static func svg(_ label: String) -> String {
        var s = ""
        var level = 0
        for r in runs(label) {
            let dy = Double(level - r.shift) * 4
            var text = Substring(r.text)
            var gap = ""
            if text.hasPrefix(" ") && !s.isEmpty {
                text = text.drop { $0 == " " }
                gap = " dx=\"0.3em\""
            }
            let body = SVGPlot.escape(String(text))
            if r.shift == 0 {
                s += dy == 0 && gap.isEmpty ? body : String(format: "<tspan dy=\"%.0f\"%@>%@</tspan>", dy, gap, body)
            } else {
                s += String(format: "<tspan dy=\"%.0f\"%@ font-size=\"75%%\">%@</tspan>", dy, gap, body)
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
