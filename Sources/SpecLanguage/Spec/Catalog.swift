import Foundation

/// A species preset from a catalog file (specs/catalog/*.yaml, or a user's own): the transition's
/// wavelength and linewidth, a typical lattice spacing and the fixed parameters of its pump scheme.
/// Values are kept in SI units; every value names its source.
public struct Species: Sendable, Equatable {
    public var id: String
    public var description: String
    /// Transition wavelength λ in metres.
    public var wavelength: Double
    /// Single-dipole decay rate Γ in s⁻¹.
    public var linewidth: Double
    /// Typical lattice spacing in metres (used when a spec gives none).
    public var spacing: Double?
    /// Three-level repump: decay rate γ of the intermediate level (s⁻¹).
    public var pumpDecay: Double?
    /// Optical pump: absorption cross-section (m²) and pump wavelength (m).
    public var pumpCrossSection: Double?
    public var pumpWavelength: Double?
    /// Where each value comes from, by key ("wavelength", "linewidth", …).
    public var sources: [String: String]
    /// The catalog file and line that defined it.
    public var origin: String
    /// The entry's YAML text, archived into bundles so that reruns do not depend on the catalog.
    public var definition: String
}

/// The species catalog: the shipped files plus any user folders, later folders overriding earlier ones.
public struct Catalog: Sendable {
    public private(set) var species: [String: Species] = [:]
    /// Problems found while reading catalog files (reported as diagnostics against those files).
    public private(set) var problems: [Diagnostic] = []

    public init() {}

    /// Loads every *.yaml file in the given folders (missing folders are skipped).
    public init(folders: [String]) {
        for folder in folders { load(folder: folder) }
    }

    /// Why `folder` cannot serve as a catalog folder (missing, a file, unreadable), or nil when it can.
    /// Folders the user names (`--catalog`) must pass; the implicit ones are skipped when absent.
    public static func folderProblem(_ folder: String) -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else { return "no such folder" }
        guard isDir.boolValue else { return "it is a file, not a folder" }
        if (try? FileManager.default.contentsOfDirectory(atPath: folder)) == nil { return "permission denied" }
        return nil
    }

    public mutating func load(folder: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return }
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            load(file: (folder as NSString).appendingPathComponent(name))
        }
    }

    public mutating func load(file: String) {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        load(bytes: Array(data), path: file)
    }

    public mutating func load(bytes: [UInt8], path: String) {
        let engine = DiagnosticEngine(file: path)
        defer { problems += engine.diagnostics }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let root = YAMLParser.parse(bytes, diagnostics: engine) else { return }
        guard root["catalog"]?.scalar == "1" else {
            engine.error("a catalog file starts with 'catalog: 1'", at: root.location)
            return
        }
        guard let list = root["species"]?.items else {
            engine.error("a catalog file lists its entries under 'species:'", at: root.location)
            return
        }
        for item in list {
            if let s = Catalog.entry(item, path: path, lines: lines, engine: engine) {
                if let old = species[s.id] {
                    engine.warning("species '\(s.id)' is defined again; this entry replaces the one at \(old.origin)", at: item.location)
                }
                species[s.id] = s
            }
        }
    }

    public subscript(id: String) -> Species? { species[id] }
    public var ids: [String] { species.keys.sorted() }

    static func entry(_ node: YAMLNode, path: String, lines: [Substring], engine: DiagnosticEngine) -> Species? {
        guard let id = node["id"]?.scalar else {
            engine.error("a catalog entry needs an 'id'", at: node.location)
            return nil
        }
        var sources: [String: String] = [:]
        func value(_ n: YAMLNode?, _ key: String, _ family: UnitFamily, required: Bool) -> Double? {
            guard let n else {
                if required { engine.error("catalog entry '\(id)' needs '\(key)'", at: node.location) }
                return nil
            }
            guard let text = n["value"]?.scalar, let src = n["source"]?.scalar, !src.isEmpty else {
                engine.error("'\(key)' of '\(id)' must be {value: …, source: …}", at: n.location)
                return nil
            }
            guard case .success(let q) = Quantity.parse(text), q.unit.family == family,
                let si = q.si(gammaSI: nil, lambdaSI: nil), si > 0
            else {
                engine.error(
                    "'\(key)' of '\(id)' must be a positive \(family.rawValue) in SI-based units, not '\(text)'",
                    at: n.location)
                return nil
            }
            sources[key] = src
            return si
        }
        guard let lambda = value(node["wavelength"], "wavelength", .length, required: true),
            let gamma = value(node["linewidth"], "linewidth", .rate, required: true)
        else { return nil }
        let spacing = value(node["spacing"], "spacing", .length, required: false)
        let three = node["pump"]?["three-level"]
        let optical = node["pump"]?["optical"]
        let decay = value(three?["decay"], "pump.three-level.decay", .rate, required: false)
        let cross = value(optical?["cross-section"], "pump.optical.cross-section", .area, required: false)
        let pumpLambda = value(optical?["wavelength"], "pump.optical.wavelength", .length, required: false)
        // The entry's own lines, for archiving: from its line to the next entry (or the end).
        let start = node.location.line - 1
        var end = lines.count
        for k in (start + 1)..<max(start + 1, lines.count) where lines[k].trimmingCharacters(in: .whitespaces).hasPrefix("- id:") {
            end = k; break
        }
        let definition = lines[max(0, start - 0)..<end].joined(separator: "\n")
        return Species(
            id: id, description: node["description"]?.scalar ?? "", wavelength: lambda, linewidth: gamma,
            spacing: spacing, pumpDecay: decay, pumpCrossSection: cross, pumpWavelength: pumpLambda,
            sources: sources, origin: "\(path):\(node.location.line)", definition: definition)
    }

    /// A catalog file holding exactly `species` (for archiving into a bundle): each entry written
    /// from its resolved values (SI units, printed so they read back to the same bits) with their
    /// sources, in plain block style, whatever anchors, merge keys or flow style the original used.
    public static func file(holding species: [Species]) -> String {
        var out = "# Catalog entries used by this bundle, as they were when it was made (values in SI units).\ncatalog: 1\nspecies:\n"
        for s in species {
            out += "  - id: \(quoted(s.id))\n"
            if !s.description.isEmpty { out += "    description: \(quoted(s.description))\n" }
            out += "    origin: \(quoted(s.origin))\n"
            func value(_ key: String, _ v: Double?, _ unit: String, indent: String) -> String {
                guard let v else { return "" }
                let name = key.split(separator: ".").last.map(String.init) ?? key
                return "\(indent)\(name):\n\(indent)  value: \(quoted("\(v) \(unit)"))\n"
                    + "\(indent)  source: \(quoted(s.sources[key] ?? ""))\n"
            }
            out += value("wavelength", s.wavelength, "m", indent: "    ")
            out += value("linewidth", s.linewidth, "/s", indent: "    ")
            out += value("spacing", s.spacing, "m", indent: "    ")
            if s.pumpDecay != nil || s.pumpCrossSection != nil || s.pumpWavelength != nil {
                out += "    pump:\n"
                if s.pumpDecay != nil {
                    out += "      three-level:\n" + value("pump.three-level.decay", s.pumpDecay, "/s", indent: "        ")
                }
                if s.pumpCrossSection != nil || s.pumpWavelength != nil {
                    out += "      optical:\n"
                    out += value("pump.optical.cross-section", s.pumpCrossSection, "m^2", indent: "        ")
                    out += value("pump.optical.wavelength", s.pumpWavelength, "m", indent: "        ")
                }
            }
        }
        return out
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || u.properties.generalCategory == .lineSeparator
                    || u.properties.generalCategory == .paragraphSeparator
                {
                    out += String(format: "\\u%04X", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
