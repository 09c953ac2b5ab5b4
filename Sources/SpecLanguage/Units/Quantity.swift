import Foundation

/// The physical dimension a spec value must have.
public enum UnitFamily: String, Sendable, CaseIterable, Codable {
    case rate, length, angle, time, intensity, area, dimensionless

    /// The units a user may write, for messages and the schema.
    public var examples: String {
        switch self {
        case .rate: return "'7.5 Gamma', '290e3 /s', '2pi*0.5 MHz'"
        case .length: return "'200 nm', '0.077 lambda', '2 Å'"
        case .angle: return "'90 deg', '1.2 rad', 'magic'"
        case .time: return "'200 /Gamma', '10 us'"
        case .intensity: return "'5 kW/cm^2'"
        case .area: return "'1e-16 cm^2'"
        case .dimensionless: return "a plain number"
        }
    }

    public var unitNames: [String] {
        Quantity.units.filter { $0.value.family == self }.map(\.key).sorted()
    }
}

/// A unit: its family, and either a natural scale (Γ, λ, 1/Γ) or an SI factor.
public struct PhysicalUnit: Sendable, Equatable {
    public enum Scale: Sendable, Equatable {
        /// Multiples of the natural unit of the family (Γ for rates, λ for lengths, 1/Γ for times).
        case natural
        /// Multiples of the SI unit (s⁻¹, m, s, W/m², m²); angles in radians.
        case si(Double)
    }
    public var family: UnitFamily
    public var scale: Scale
}

/// A number with a unit as written in a spec, e.g. "200 nm", "2pi*0.5 MHz", "magic".
public struct Quantity: Sendable, Equatable {
    /// The number as written, times 2π if the text said `2pi*`.
    public var value: Double
    public var unit: PhysicalUnit
    /// The unit as written ("" for a bare number).
    public var unitText: String

    /// The magic angle arccos(1/√3) in radians.
    public static let magicAngle = acos(1 / 3.0.squareRoot())

    static let units: [String: PhysicalUnit] = {
        var u: [String: PhysicalUnit] = [:]
        func add(_ names: [String], _ f: UnitFamily, _ s: PhysicalUnit.Scale) {
            for n in names { u[n] = PhysicalUnit(family: f, scale: s) }
        }
        add(["Gamma", "Γ"], .rate, .natural)
        add(["/s", "1/s", "s^-1", "Hz"], .rate, .si(1))
        add(["kHz"], .rate, .si(1e3))
        add(["MHz"], .rate, .si(1e6))
        add(["GHz"], .rate, .si(1e9))
        add(["lambda", "λ"], .length, .natural)
        add(["m"], .length, .si(1))
        add(["cm"], .length, .si(1e-2))
        add(["mm"], .length, .si(1e-3))
        add(["um", "µm", "μm"], .length, .si(1e-6))
        add(["nm"], .length, .si(1e-9))
        add(["Å", "angstrom"], .length, .si(1e-10))
        add(["deg", "°"], .angle, .si(Double.pi / 180))
        add(["rad"], .angle, .si(1))
        add(["/Gamma", "/Γ", "1/Gamma"], .time, .natural)
        add(["s"], .time, .si(1))
        add(["ms"], .time, .si(1e-3))
        add(["us", "µs", "μs"], .time, .si(1e-6))
        add(["ns"], .time, .si(1e-9))
        add(["W/cm^2"], .intensity, .si(1e4))
        add(["kW/cm^2"], .intensity, .si(1e7))
        add(["mW/cm^2"], .intensity, .si(10))
        add(["W/m^2"], .intensity, .si(1))
        add(["cm^2"], .area, .si(1e-4))
        add(["m^2"], .area, .si(1))
        add(["nm^2"], .area, .si(1e-18))
        add(["Å^2", "angstrom^2"], .area, .si(1e-20))
        return u
    }()

    public enum ParseError: Error, Equatable {
        case notANumber
        case unknownUnit(String)
    }

    /// Parses "[2pi*]NUMBER [UNIT]" or the keyword "magic".
    public static func parse(_ raw: String) -> Result<Quantity, ParseError> {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text == "magic" {
            return .success(Quantity(value: magicAngle, unit: PhysicalUnit(family: .angle, scale: .si(1)), unitText: "magic"))
        }
        var factor = 1.0
        for prefix in ["2pi*", "2π*", "2*pi*", "2pi ", "2π "] where text.hasPrefix(prefix) {
            factor = 2 * Double.pi
            text = String(text.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        // Split the number from the unit: the longest prefix that parses as a floating-point literal.
        let chars = Array(text)
        var end = 0
        var i = 0
        if i < chars.count, chars[i] == "+" || chars[i] == "-" { i += 1 }
        var sawDigit = false
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1; sawDigit = true }
        if i < chars.count, chars[i] == "." {
            i += 1
            while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1; sawDigit = true }
        }
        guard sawDigit else { return .failure(.notANumber) }
        end = i
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            var expDigits = false
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1; expDigits = true }
            if expDigits { end = j }
        }
        guard let number = Double(String(chars[0..<end])), number.isFinite else { return .failure(.notANumber) }
        let unitText = String(chars[end...]).trimmingCharacters(in: .whitespaces)
        if unitText.isEmpty {
            return .success(
                Quantity(
                    value: number * factor, unit: PhysicalUnit(family: .dimensionless, scale: .si(1)),
                    unitText: ""))
        }
        guard let unit = units[unitText] else { return .failure(.unknownUnit(unitText)) }
        return .success(Quantity(value: number * factor, unit: unit, unitText: unitText))
    }

    /// Whether the unit needs the species' Γ or λ to be converted to canonical units.
    public var isPhysical: Bool {
        if case .si = unit.scale { return unit.family == .rate || unit.family == .length || unit.family == .time }
        return false
    }

    /// The value in canonical units: rates in Γ, lengths in λ, times in 1/Γ, angles in rad, and SI for
    /// intensity and area. `gammaSI` (s⁻¹) and `lambdaSI` (m) come from the species; nil when there is none.
    public func canonical(gammaSI: Double?, lambdaSI: Double?) -> Double? {
        switch unit.scale {
        case .natural: return value
        case .si(let s):
            let si = value * s
            switch unit.family {
            case .rate: return gammaSI.map { si / $0 }
            case .length: return lambdaSI.map { si / $0 }
            case .time: return gammaSI.map { si * $0 }
            case .angle, .intensity, .area, .dimensionless: return si
            }
        }
    }

    /// The value in SI units, when the unit is physical or the natural scales are known.
    public func si(gammaSI: Double?, lambdaSI: Double?) -> Double? {
        switch unit.scale {
        case .si(let s): return value * s
        case .natural:
            switch unit.family {
            case .rate: return gammaSI.map { value * $0 }
            case .length: return lambdaSI.map { value * $0 }
            case .time: return gammaSI.map { value / $0 }
            default: return value
            }
        }
    }
}
