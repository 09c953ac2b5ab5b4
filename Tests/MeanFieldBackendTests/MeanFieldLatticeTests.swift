import Foundation
import LinearAlgebra
import Physics
import Results
import TestSupport
import Testing

@testable import MeanFieldBackend

/// The mean-field dynamics with lattice couplings (FFT products, docs/physics.md §2.6) against the same
/// model with dense f and g: every observable and table agrees to 1e-10.
struct MeanFieldLatticeTests {
    struct Case: CustomStringConvertible, Sendable {
        var lattice: Lattice
        var couplings: String
        var steady: Bool
        var description: String { "\(lattice) \(couplings)\(steady ? " steady" : "")" }

        func models() -> (dense: DipoleModel, lattice: DipoleModel) {
            let detunings = (0..<lattice.count).map { 0.3 * sin(Double($0)) }
            return latticeModelPair(lattice: lattice, couplings: couplings, alpha: 2.5, strength: 0.6, detunings: detunings)
        }
    }

    static let cases: [Case] =
        [Lattice.chain(9), .chain(12), .square(4, 5), .cubic(3, 3, 2)].flatMap { l in
            ["dipolar magic", "dipolar perpendicular", "dissipative magic", "power-law"].map {
                Case(lattice: l, couplings: $0, steady: false)
            }
        } + [
            Case(lattice: .chain(10), couplings: "dissipative magic", steady: true),
            Case(lattice: .square(3, 4), couplings: "power-law", steady: true)
        ]

    static func numbers(_ v: ResultValue) -> [Double] {
        switch v {
        case .number(let x): return [x]
        case .array(let a): return a.flatMap(numbers)
        case .object(let o): return o.flatMap { numbers($0.1) }
        default: return []
        }
    }

    static func request(_ model: DipoleModel, _ c: Case, threads: Int = 1) -> SolveRequest {
        SolveRequest(
            model: model, lattice: c.lattice,
            observables: [.z, .zq, .inversion, .frequency, .phases, .correlations].map { ObservableRequest(kind: $0) }
                + [ObservableRequest(kind: .clusterZQ, clusterSizes: [2])],
            initial: .product(polar: 2.0, azimuth: nil),
            evolution: c.steady ? .steadyState : .until(time: 3, samples: 4), seed: 5, tolerance: 1e-10, threads: threads)
    }

    @Test(arguments: cases) func latticeAgreesWithDense(_ c: Case) throws {
        let (dm, lm) = c.models()
        #expect(lm.representation == .lattice && dm.representation == .dense)
        #expect(abs(lm.feff - dm.feff) <= 1e-12 * max(1, abs(dm.feff)))
        let dense = try MeanFieldBackend().solve(Self.request(dm, c))
        let fft = try MeanFieldBackend().solve(Self.request(lm, c))
        #expect(fft.method.contains("couplings: lattice") && !dense.method.contains("couplings: lattice"))
        Self.expectAgreement(dense, fft, steady: c.steady)
    }

    /// Every value and table of two solutions of one model agree to 1e-10 (relative, or absolute below 1).
    /// A steady state's common phase is free (U(1)): round-off differences drift along it over the long
    /// integration, so there the absolute azimuth `phi` agrees to 1e-7 only; everything that is
    /// phase-invariant (S-perp, s, the correlations β_a*β_b) to 1e-10, and the phases relative to dipole
    /// 0's to the correlations' 1e-10 over the product of the two S-perp.
    static func expectAgreement(_ dense: PointResult, _ other: PointResult, steady: Bool) {
        #expect(dense.values.map(\.key) == other.values.map(\.key))
        for (a, b) in zip(dense.values, other.values) {
            let x = numbers(a.value), y = numbers(b.value)
            #expect(x.count == y.count)
            for (u, v) in zip(x, y) { #expect(abs(u - v) <= 1e-10 * max(1, abs(u)), "\(a.key): \(u) vs \(v)") }
        }
        #expect(dense.tables.map(\.name) == other.tables.map(\.name))
        for (s, t) in zip(dense.tables, other.tables) {
            #expect(s.rows.count == t.rows.count)
            let phi = s.columns.firstIndex(of: "phi")
            for (r, q) in zip(s.rows, t.rows) {
                for (j, (u, v)) in zip(r, q).enumerated() {
                    let allowed = steady && j == phi ? 1e-7 : 1e-10
                    #expect(abs(u - v) <= allowed * max(1, abs(u)), "table \(s.name) column \(s.columns[j]): \(u) vs \(v)")
                }
            }
            // Phases relative to dipole 0's (the state's common phase is free in a steady state: it turns at
            // the frequency ω, and where it stands depends on when the integration stopped).
            if let phi, let perp = s.columns.firstIndex(of: "S-perp"), let first = s.rows.first, let firstOther = t.rows.first {
                for (r, q) in zip(s.rows, t.rows) {
                    let d = remainder((r[phi] - first[phi]) - (q[phi] - firstOther[phi]), 2 * Double.pi)
                    let allowed = steady ? 1e-10 / max(r[perp] * first[perp], 1e-3) : 1e-10
                    #expect(abs(d) <= allowed, "table \(s.name): relative phase \(r[phi] - first[phi]) vs \(q[phi] - firstOther[phi])")
                }
            }
        }
    }

    /// Threads do not change a lattice result (the FFTs run on one thread, with fixed plans).
    @Test func identicalForOneAndTwoThreads() throws {
        let c = Case(lattice: .square(6, 5), couplings: "dipolar magic", steady: false)
        let m = c.models().lattice
        let one = try MeanFieldBackend().solve(Self.request(m, c, threads: 1))
        let two = try MeanFieldBackend().solve(Self.request(m, c, threads: 2))
        let again = try MeanFieldBackend().solve(Self.request(m, c, threads: 2))
        #expect(one == two && two == again)
    }

    /// The planner's count of right-hand sides (`rhsEvaluations`, docs/architecture.md: honest
    /// estimates) against the integrator's, for the synchronized chain of `benchmarks/meanfield.sh`
    /// (a = 0.02 λ at the magic angle, W = 12 Γ, elastic couplings off) with 2 000 dipoles to its
    /// steady state: within a factor 3 started in phase (241 against 300; Z = 0.286) and from random
    /// phases (2 647 against 3 000; a stationary phase texture, Z = 0.051, docs/physics.md §4.6).
    @Test func plannedRightHandSidesMatchTheIntegrators() throws {
        let n = 2000
        let theta = acos(1 / 3.0.squareRoot())
        let l = try #require(
            LatticeCouplings.dipolar(lattice: .chain(n), spacing: 0.02, orientation: SIMD3(cos(theta), 0, sin(theta)), elastic: false))
        let model = DipoleModel(
            pump: 12, detunings: [Double](repeating: 0, count: n), f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0),
            positions: Lattice.chain(n).unitPositions.map { $0 * 0.02 }, lattice: l)
        let backend = MeanFieldBackend()
        for azimuth in [0, nil] as [Double?] {
            let initial = InitialState.product(polar: Double.pi / 2, azimuth: azimuth)
            let r = try backend.solve(
                SolveRequest(
                    model: model, lattice: .chain(n), observables: [ObservableRequest(kind: .z)], initial: initial, seed: 2000,
                    tolerance: 1e-6))
            guard case .number(let counted) = try #require(r.diagnostics.first { $0.key == "evaluations" }?.value) else {
                Issue.record("no evaluation count")
                continue
            }
            let planned = backend.rhsEvaluations(initial: initial, evolution: .steadyState)
            #expect(planned / 3 < counted && counted < 3 * planned, "\(initial): \(counted) right-hand sides, planned \(planned)")
            if azimuth != nil { #expect(try #require(r.number("Z")) > 0.25, "in phase the chain stays synchronized") }
        }
    }
}
