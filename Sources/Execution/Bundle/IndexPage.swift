import Foundation
import Physics
import Planning
import SpecLanguage

/// index.html: the spec, the plan, the results and the pictures of a bundle on one page. `figures`
/// are figure names: each is shown from figures/NAME.svg with links to its CSV and script.
enum IndexPage {
    static func html(compiled: CompiledSpec, plan: ExecutionPlan, outcomes: [PointOutcome], figures: [String]) -> String {
        let s = compiled.base
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(esc(s.name)) — dipolesync</title>
            <style>
            body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
            pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:13px}
            table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
            th{background:#f0f0f0}.figs{display:flex;flex-wrap:wrap}.figs figure{width:48%;margin:1%}
            .figs img{width:100%;border:1px solid #eee}figcaption{font-size:12px;color:#555}
            </style></head><body>
            <h1>\(esc(s.name))</h1>
            <p>\(esc(s.description))</p>
            <p>\(compiled.points.count) point\(compiled.points.count == 1 ? "" : "s"); backends: \(plan.backendCounts.map { "\($0.0.rawValue) (\($0.1))" }.joined(separator: ", ")).
            Files: <a href="results.json">results.json</a>, <a href="resolved.json">resolved.json</a>, <a href="plan.json">plan.json</a>,
            <a href="manifest.json">manifest.json</a>, <a href="tables/points.csv">tables/points.csv</a>.</p>

            """
        if !figures.isEmpty {
            h += "<h2>Pictures</h2><div class=\"figs\">\n"
            for f in figures {
                let svg = "figures/\(f).svg"
                h +=
                    "<figure><a href=\"\(svg)\"><img src=\"\(svg)\" alt=\"\(esc(f))\"></a><figcaption>\(esc(f)): "
                    + "<a href=\"figures/\(f).csv\">data (CSV)</a>, <a href=\"figures/\(f).py\">matplotlib script</a></figcaption></figure>\n"
            }
            h += "</div>\n"
        }
        let sorted = outcomes.sorted { $0.index < $1.index }
        let keys = ResultsDocument.scalarKeys(sorted)
        let params = sorted.first?.parameters.map(\.path) ?? []
        h += "<h2>Results</h2><table><tr><th>#</th>" + params.map { "<th>\(esc($0))</th>" }.joined()
        if sorted.first?.optimum != nil { h += "<th>optimum</th>" }
        h += "<th>backend</th>" + keys.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for o in sorted.prefix(500) {
            h += "<tr><td>\(o.index)</td>" + o.parameters.map { "<td>\(String(format: "%.6g", $0.value))</td>" }.joined()
            if let opt = o.optimum { h += "<td>\(String(format: "%.6g", opt.value))</td>" }
            h +=
                "<td>\(o.backend.rawValue)</td>"
                + keys.map { k in "<td>\(o.result.number(k).map { String(format: "%.6g", $0) } ?? "")</td>" }.joined() + "</tr>\n"
        }
        h += "</table>\n"
        if sorted.count > 500 { h += "<p>… \(sorted.count - 500) more rows in tables/points.csv</p>\n" }
        h += "<h2>Spec</h2><pre>\(esc(compiled.source.text))</pre>\n"
        h += "<h2>Plan</h2><pre>\(esc(plan.text()))</pre>\n"
        h +=
            "<p>The manifest (<a href=\"manifest.json\">manifest.json</a>) records the program version, source revision, host, timings and the SHA-256 of every file; <code>dipolesync rerun</code> re-executes this bundle and compares every number.</p>\n"
        return h + "</body></html>\n"
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
