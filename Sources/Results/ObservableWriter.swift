import Foundation
import NumericalMethods
import Numerics
import Physics

/// The one place that puts computed observables into a `PointResult` under the result keys of
/// docs/physics.md §3.1 (docs/spec-language.md §6, §11.4). Every backend computes its numbers its own
/// way and hands them here; each key name, and each value derived from another (Z_Q from Z_Q², the
/// witness 2N/3, the standard error of Z_Q), lives in this file only.
///
/// Values are set with `PointResult`'s subscript: a key already present keeps its place, a new key
/// goes at the end, so the order of `results.json` is the order in which a backend calls the writer.
public enum ObservableWriter {
    /// The result keys (docs/physics.md §3.1), diagnostics and table names the writer fills.
    public enum Key {
        public static let zq = "ZQ"
        public static let zq2 = "ZQ2"
        public static let inversion = "inversion"
        public static let z = "Z"
        public static let frequency = "frequency"
        public static let clusterZQ = "cluster-ZQ"
        public static let qfi = "qfi"
        public static let qfiWitness = "qfi-witness"
        public static let qfiConditional = "qfi-conditional"
        public static let mutualInformation = "mutual-information"
        public static let discord = "discord"
        public static let spectrum = "spectrum"
        public static let twoTime = "two-time"
        /// The figure key of one cluster's Z_Q^d (`cluster-ZQ.d450`: the entry of `cluster-ZQ` with d = 450;
        /// docs/spec-language.md §12).
        public static func clusterZQ(size d: Int) -> String { clusterZQ + ".d\(d)" }
        /// The cluster size d of a `clusterZQ(size:)` key (nil: another key).
        public static func clusterSize(ofKey key: String) -> Int? {
            let prefix = clusterZQ + ".d"
            guard key.hasPrefix(prefix), let d = Int(key.dropFirst(prefix.count)), d > 0, key == clusterZQ(size: d) else { return nil }
            return d
        }
        /// Diagnostic: the `cluster-ZQ` sizes that do not fit in the row from the central dipole.
        public static let clusterZQSkipped = "cluster-ZQ-skipped"
        /// Tables.
        public static let correlationsTable = "correlations"
        public static let spectrumTable = "spectrum"
        /// `two-time`'s tables: the sampled Z_ab(τ) of a pair, ν against the partner b and against the bare
        /// detuning difference, the dipoles' own frequencies and detunings, and the histogram of ν.
        public static func twoTimeTable(_ a: Int, _ b: Int) -> String { "two-time-\(a)-\(b)" }
        /// Whether `name` is a `twoTimeTable(a, b)` (one pair's Z_ab(τ)).
        public static func isTwoTimePairTable(_ name: String) -> Bool {
            guard name.hasPrefix("two-time-") else { return false }
            let ends = name.dropFirst("two-time-".count).split(separator: "-", omittingEmptySubsequences: false)
            return ends.count == 2 && ends.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
        }
        public static let nuAgainstPartnerTable = "nu-vs-b"
        public static let nuAgainstDetuningTable = "nu-vs-detuning"
        public static let twoTimeDipolesTable = "two-time-dipoles"
        public static let nuHistogramTable = "nu-histogram"

        /// The list of every pair's value beside the first pair's (`mutual-information-pairs`, …).
        public static func pairs(_ key: String) -> String { key + "-pairs" }
        /// The standard error of a trajectory estimate (`ZQ2-stderr`, `qfi-conditional-stderr`, …).
        public static func standardError(_ key: String) -> String { key + "-stderr" }
    }

    // MARK: - Order parameters

    /// `ZQ` = √max(0, Z_Q²) and `ZQ2` = Z_Q² (docs/physics.md §3.2), in that order.
    public static func zq(fromSquare z2: Double, into result: inout PointResult) {
        result[Key.zq] = .number(OrderParameters.zq(fromSquare: z2))
        result[Key.zq2] = .number(z2)
    }

    /// `inversion`: S^z = ⟨σᶻ⟩/2 averaged over dipoles.
    public static func inversion(_ value: Double, into result: inout PointResult) {
        result[Key.inversion] = .number(value)
    }

    /// `Z`: the mean-field order parameter |(1/N) Σ_a ⟨σ⁻_a⟩| (docs/physics.md §3.2).
    public static func z(_ value: Double, into result: inout PointResult) {
        result[Key.z] = .number(value)
    }

    /// `frequency`: the collective precession frequency ω; `nil` (no common frequency) is written as null.
    public static func frequency(_ omega: Double?, into result: inout PointResult) {
        result[Key.frequency] = omega.map { .number($0) } ?? .null
    }

    /// `cluster-ZQ`: a list of {d, ZQ, ZQ2}, Z_Q² averaged over the ordered pairs of the cluster of d
    /// dipoles of `lattice` (docs/physics.md §3.2), with `correlation(a, b)` = ⟨σ⁺_a σ⁻_b⟩. Sizes that
    /// do not fit in the row from the central dipole are left out of the list and, when
    /// `recordSkipped`, listed in the diagnostic `cluster-ZQ-skipped`.
    public static func clusterZQ(
        sizes: [Int], lattice: Lattice, recordSkipped: Bool = true,
        correlation: (Int, Int) -> Complex<Double>, into result: inout PointResult
    ) {
        clusterZQ(
            sizes: sizes, lattice: lattice, recordSkipped: recordSkipped,
            zq2: { OrderParameters.zq2(count: lattice.count, indices: $0, correlation: correlation) }, into: &result)
    }

    /// The same with Z_Q² of a cluster's indices given directly (a product state's takes O(d) work,
    /// `OrderParameters.productZQ2`, where the pair sum takes O(d²)).
    public static func clusterZQ(
        sizes: [Int], lattice: Lattice, recordSkipped: Bool = true,
        zq2: ([Int]) -> Double, into result: inout PointResult
    ) {
        var out: [ResultValue] = []
        var skipped: [Int] = []
        for d in sizes {
            guard let idx = lattice.cluster(size: d) else { skipped.append(d); continue }
            let z2 = zq2(idx)
            out.append(
                .object([
                    ("d", .number(Double(d))), (Key.zq, .number(OrderParameters.zq(fromSquare: z2))),
                    (Key.zq2, .number(z2))
                ]))
        }
        result[Key.clusterZQ] = .array(out)
        if recordSkipped && !skipped.isEmpty {
            result.diagnostics.append((Key.clusterZQSkipped, .array(skipped.map { .number(Double($0)) })))
        }
    }

    /// The table `correlations`: rows a, b, Re, Im of ⟨σ⁺_a σ⁻_b⟩ for every ordered pair (diagonal = population).
    public static func correlations(
        count n: Int, correlation: (Int, Int) -> Complex<Double>,
        into result: inout PointResult
    ) {
        var rows: [[Double]] = []
        rows.reserveCapacity(n * n)
        for a in 0..<n {
            for b in 0..<n {
                let c = correlation(a, b)
                rows.append([Double(a), Double(b), c.real, c.imaginary])
            }
        }
        result.tables.append(ResultTable(name: Key.correlationsTable, columns: correlationsColumns, rows: rows))
    }

    /// The same table for a product state, held as its O(N) factors (`ResultTable.Storage.pairProducts`):
    /// β_a = re_a + i im_a, and the populations on the diagonal.
    public static func productCorrelations(re: [Double], im: [Double], populations: [Double], into result: inout PointResult) {
        result.tables.append(
            ResultTable(name: Key.correlationsTable, columns: correlationsColumns, storage: .pairProducts(re: re, im: im, diagonal: populations)))
    }

    static let correlationsColumns = ["a", "b", "re", "im"]

    // MARK: - Pair correlations

    /// `mutual-information` or `discord` (`kind`): the first pair's value, and when more than one pair
    /// was asked the list `…-pairs` of {a, b, value} for every pair (docs/physics.md §3.5).
    public static func pairValues(
        _ kind: ObservableKind, _ values: [(pair: DipolePair, value: Double)],
        into result: inout PointResult
    ) {
        precondition(kind == .mutualInformation || kind == .discord, "\(kind.rawValue) is not a pair quantity")
        let key = kind == .discord ? Key.discord : Key.mutualInformation
        guard let first = values.first else { return }
        result[key] = .number(first.value)
        if values.count > 1 {
            result[Key.pairs(key)] = .array(
                values.map {
                    .object([("a", .number(Double($0.pair.a))), ("b", .number(Double($0.pair.b))), ("value", .number($0.value))])
                })
        }
    }

    // MARK: - Quantum Fisher information

    /// The entanglement witness of F̄_Q for N dipoles: 2N/3 (docs/physics.md §3.4).
    public static func qfiWitness(dipoles n: Int) -> Double { 2 * Double(n) / 3 }

    /// `qfi` = F̄_Q of the state and `qfi-witness` = 2N/3.
    public static func qfi(_ value: Double, dipoles n: Int, into result: inout PointResult) {
        result[Key.qfi] = .number(value)
        result[Key.qfiWitness] = .number(qfiWitness(dipoles: n))
    }

    /// `qfi-conditional` (trajectory mean), `qfi-conditional-stderr` and `qfi-witness` = 2N/3.
    public static func qfiConditional(
        mean: Double, standardError: Double, dipoles n: Int,
        into result: inout PointResult
    ) {
        result[Key.qfiConditional] = .number(mean)
        result[Key.standardError(Key.qfiConditional)] = .number(standardError)
        result[Key.qfiWitness] = .number(qfiWitness(dipoles: n))
    }

    // MARK: - Trajectory standard errors

    /// `KEY-stderr`: the standard error of a trajectory estimate of the observable `key`.
    public static func standardError(of key: String, _ value: Double, into result: inout PointResult) {
        result[Key.standardError(key)] = .number(value)
    }

    /// `ZQ2-stderr` = `sigma2`, and `ZQ-stderr` derived from it when `ZQ` is in the result
    /// (`zqStandardError`).
    public static func zqStandardErrors(zq2Error sigma2: Double, into result: inout PointResult) {
        standardError(of: Key.zq2, sigma2, into: &result)
        if let z = result.number(Key.zq) { standardError(of: Key.zq, zqStandardError(zq: z, zq2Error: sigma2), into: &result) }
    }

    /// The standard error of Z_Q = √(Z_Q²) from that of Z_Q²: σ/(2 Z_Q) where Z_Q² is resolved
    /// (Z_Q² > σ), else √σ, the size of Z_Q that the noise alone produces.
    public static func zqStandardError(zq z: Double, zq2Error sigma2: Double) -> Double {
        guard sigma2.isFinite else { return .nan }
        return z * z > sigma2 ? sigma2 / (2 * z) : sigma2.squareRoot()
    }

    // MARK: - Spectrum

    /// How a backend estimates the width of the collective emission spectrum. The three backends that
    /// give `spectrum` use different estimators; the name goes into the point's `method` text.
    public enum SpectrumEstimator: Sendable, Equatable {
        /// 2γ, γ the decay rate of the fit A cos(ντ) e^{−γτ} to ⟨J⁺(τ)J⁻(0)⟩ in the frame rotating at its
        /// mean frequency (exact backend).
        case fittedDecay
        /// Full width at half maximum of S(ω), the trapezoid transform of the sampled ⟨J⁺(τ)J⁻(0)⟩ on an
        /// ω grid, with linear interpolation between grid points (permutation-symmetric backend).
        case gridHalfMaximum
        /// Full width at half maximum of the analytic S(ω), a sum of Lorentzians over the regression
        /// eigenmodes, located by bisection (cumulant backend).
        case lorentzianSumHalfMaximum

        /// The name written into the `method` text.
        public var name: String {
            switch self {
            case .fittedDecay: return "twice the decay rate fitted to ⟨J⁺(τ)J⁻(0)⟩"
            case .gridHalfMaximum: return "full width at half maximum of the sampled S(ω) on a grid"
            case .lorentzianSumHalfMaximum: return "full width at half maximum of the analytic S(ω) (sum of regression Lorentzians)"
            }
        }
    }

    /// `spectrum` = {linewidth, peak-frequency} and the table `spectrum` (omega, S). The estimator of the
    /// linewidth is appended to the point's `method` text (not to the observables).
    public static func spectrum(
        linewidth: Double, peakFrequency: Double, estimator: SpectrumEstimator,
        table rows: [[Double]], into result: inout PointResult
    ) {
        result[Key.spectrum] = .object([("linewidth", .number(linewidth)), ("peak-frequency", .number(peakFrequency))])
        result.tables.append(ResultTable(name: Key.spectrumTable, columns: ["omega", "S"], rows: rows))
        result.method += (result.method.isEmpty ? "" : "; ") + "spectrum linewidth: " + estimator.name
    }

    // MARK: - Two-time correlations

    /// One pair's two-time results (docs/physics.md §3.3), from every backend that gives `two-time`: the
    /// sampled Z_ab(τ), the papers' fit A cos(ν′τ) e^{−γτ} and the two-exponential fit of the same
    /// Re[Z_ab(τ) e^{−iωτ}] in the frame rotating at ω, and — when the backend knows the regression's modes
    /// (cumulant) — the signed precession frequency of the pair. Both fits are made here, once, for every
    /// backend (`init(pair:tau:z:frame:precession:)`).
    public struct TwoTimePair: Sendable, Equatable {
        public var pair: DipolePair
        /// Z_ab(τ) at `tau`.
        public var tau: [Double], z: [Complex<Double>]
        /// ω of the rotating frame of the fits: the collective frequency (cumulant) or the mean rotation
        /// frequency of Z_ab (exact, permutation-symmetric).
        public var frame: Double
        /// A cos(ν′τ) e^{−γτ} (A, ν′ = `frequency`, γ, and their standard errors).
        public var fit: CosineFit
        /// A_s e^{−γ_s τ} + A_f e^{−γ_f τ}: the slow (collective) and the fast component.
        public var twoExponential: TwoExponentialFit
        /// What the regression's modes tell of the pair (nil for the backends that integrate the regression).
        public var precession: Precession?

        /// The signed relative precession frequency ν_ab = ω_b − ω_a, ω the frequency of the line that
        /// dominates each dipole's own emission, the larger decay rate (half width) of those two lines, and
        /// the bare detuning difference δ_b − δ_a.
        public struct Precession: Sendable, Equatable {
            public var nu: Double, lineDecay: Double, detuningDifference: Double
            public init(nu: Double, lineDecay: Double, detuningDifference: Double) {
                self.nu = nu
                self.lineDecay = lineDecay
                self.detuningDifference = detuningDifference
            }

            /// Whether ν tells entrained from drifting (docs/physics.md §3.3). A drift ν ≠ 0 is resolved when it
            /// exceeds the widths of the two lines, |ν| > max(γ_a, γ_b): within the coherence time the pair turns
            /// by more than a radian. Entrainment (both dipoles on one line, ν = 0 to within 10⁻⁹ of its width)
            /// is resolved when that line is narrower than the bare detuning difference it overcomes,
            /// |δ_b − δ_a| > γ; two identical dipoles (δ_b = δ_a) never show it.
            public var resolvable: Bool {
                let entrained = abs(nu) <= 1e-9 * lineDecay
                return entrained ? abs(detuningDifference) > lineDecay : abs(nu) > lineDecay
            }
        }

        public init(
            pair: DipolePair, tau: [Double], z: [Complex<Double>], frame: Double, fit: CosineFit,
            twoExponential: TwoExponentialFit, precession: Precession? = nil
        ) {
            self.pair = pair
            self.tau = tau
            self.z = z
            self.frame = frame
            self.fit = fit
            self.twoExponential = twoExponential
            self.precession = precession
        }

        /// The pair's results from Z_ab(τ) sampled at `tau`: `CosineFit` and `TwoExponentialFit` of
        /// Re[Z_ab(τ) e^{−iωτ}], ω = `frame` (docs/physics.md §3.3).
        public init(pair: DipolePair, tau: [Double], z: [Complex<Double>], frame: Double, precession: Precession? = nil) {
            let y = zip(tau, z).map { t, z in (z * Complex(cos(frame * t), -sin(frame * t))).real }
            self.init(
                pair: pair, tau: tau, z: z, frame: frame, fit: CosineFit.fit(tau: tau, y: y),
                twoExponential: TwoExponentialFit.fit(tau: tau, y: y), precession: precession)
        }
    }

    /// `two-time`: per pair an object {a, b, A, nu, gamma, A-err, …} (non-finite numbers as null) and the
    /// table `two-time-A-B` (tau, re, im of Z_ab(τ)). Its keys, by what the backend knows (docs/physics.md §3.1):
    /// - with the regression's modes (`precession`, cumulant): {a, b, A, nu, gamma, A-err, gamma-err,
    ///   gamma-slow, gamma-slow-err, A-slow, gamma-fast, A-fast, line-decay, detuning-difference,
    ///   resolvable}, nu the signed precession frequency, and the tables `nu-vs-b` (b, nu,
    ///   detuning-difference, resolvable as 0/1), `nu-vs-detuning` (detuning-difference, nu, resolvable;
    ///   sorted), `two-time-dipoles` (dipole, delta, omega, width: the bare detuning, the frequency and
    ///   decay rate of the dipole's dominant line, for every dipole of `dipoles`) and `nu-histogram`;
    /// - without (exact, permutation-symmetric): {a, b, A, nu, gamma, A-err, nu-err, gamma-err, omega,
    ///   gamma-slow, gamma-slow-err, A-slow, gamma-fast, A-fast}, nu = |ν′| of the fit and omega the frame.
    /// The keys before `gamma-slow` of the second set are those bundles written before the two-exponential
    /// fit reached these backends hold (docs/reproducibility.md §5).
    public static func twoTime(
        _ pairs: [TwoTimePair], dipoles: [(index: Int, detuning: Double, frequency: Double, decay: Double)] = [],
        into result: inout PointResult
    ) {
        func number(_ x: Double) -> ResultValue { x.isFinite ? .number(x) : .null }
        result[Key.twoTime] = .array(
            pairs.map { p in
                let f = p.fit, two = p.twoExponential
                let slow: [(String, ResultValue)] = [
                    ("gamma-slow", number(two.slowDecay)), ("gamma-slow-err", number(two.slowDecayError)),
                    ("A-slow", number(two.slowAmplitude)), ("gamma-fast", number(two.fastDecay)),
                    ("A-fast", number(two.fastAmplitude))
                ]
                let ends: [(String, ResultValue)] = [("a", .number(Double(p.pair.a))), ("b", .number(Double(p.pair.b)))]
                guard let m = p.precession else {
                    return .object(
                        ends + [
                            ("A", number(f.amplitude)), ("nu", number(f.frequency)), ("gamma", number(f.decay)),
                            ("A-err", number(f.amplitudeError)), ("nu-err", number(f.frequencyError)),
                            ("gamma-err", number(f.decayError)), ("omega", number(p.frame))
                        ] + slow)
                }
                return .object(
                    ends + [
                        ("A", number(f.amplitude)), ("nu", number(m.nu)), ("gamma", number(f.decay)),
                        ("A-err", number(f.amplitudeError)), ("gamma-err", number(f.decayError))
                    ] + slow + [
                        ("line-decay", number(m.lineDecay)), ("detuning-difference", number(m.detuningDifference)),
                        ("resolvable", .bool(m.resolvable))
                    ])
            })
        for p in pairs {
            result.tables.append(
                ResultTable(
                    name: Key.twoTimeTable(p.pair.a, p.pair.b), columns: ["tau", "re", "im"],
                    rows: zip(p.tau, p.z).map { [$0, $1.real, $1.imaginary] }))
        }
        let modes = pairs.compactMap { p in p.precession.map { (b: p.pair.b, m: $0) } }
        guard !modes.isEmpty else { return }
        // ν against b, and against δ_b − δ_a (sorted), first column the abscissa of their pictures.
        result.tables.append(
            ResultTable(
                name: Key.nuAgainstPartnerTable, columns: ["b", "nu", "detuning-difference", "resolvable"],
                rows: modes.map { [Double($0.b), $0.m.nu, $0.m.detuningDifference, $0.m.resolvable ? 1 : 0] }))
        result.tables.append(
            ResultTable(
                name: Key.nuAgainstDetuningTable, columns: ["detuning-difference", "nu", "resolvable"],
                rows: modes.map(\.m).sorted { $0.detuningDifference < $1.detuningDifference }.map {
                    [$0.detuningDifference, $0.nu, $0.resolvable ? 1 : 0]
                }))
        result.tables.append(
            ResultTable(
                name: Key.twoTimeDipolesTable, columns: ["dipole", "delta", "omega", "width"],
                rows: dipoles.map { [Double($0.index), $0.detuning, $0.frequency, $0.decay] }))
        result.tables.append(nuHistogram(modes.map(\.m)))
    }

    /// Bins for a histogram of ν: ⌈√samples⌉ of them (at most 50) on [min, max] of `values` (finite ones);
    /// one bin of width 0.1 Γ centred on the value when all are equal. The `nu-histogram` table and the
    /// picture that draws several points' histograms on common bins both use it.
    public struct NuBins: Sendable {
        public var start: Double, width: Double, count: Int
        public init(_ values: [Double], samples: Int) {
            let finite = values.filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 0
            let bins = max(1, min(50, Int(Double(samples).squareRoot().rounded(.up))))
            (start, width, count) = hi > lo ? (lo, (hi - lo) / Double(bins), bins) : (lo - 0.05, 0.1, 1)
        }
        /// The bin of a finite value (the last bin holds the maximum).
        public func index(_ v: Double) -> Int { min(count - 1, max(0, Int((v - start) / width))) }
        public func centre(_ k: Int) -> Double { start + (Double(k) + 0.5) * width }
    }

    /// Histogram of the signed ν over the pairs (`NuBins`), with the count of resolvable pairs beside
    /// the count of all.
    static func nuHistogram(_ pairs: [TwoTimePair.Precession]) -> ResultTable {
        let nus = pairs.map(\.nu).filter(\.isFinite)
        let bins = NuBins(nus, samples: nus.count)
        var counts = [Double](repeating: 0, count: bins.count), resolved = counts
        for p in pairs where p.nu.isFinite {
            let k = bins.index(p.nu)
            counts[k] += 1
            if p.resolvable { resolved[k] += 1 }
        }
        return ResultTable(
            name: Key.nuHistogramTable, columns: ["nu", "count", "count-resolvable"],
            rows: (0..<bins.count).map { [bins.centre($0), counts[$0], resolved[$0]] })
    }
}
