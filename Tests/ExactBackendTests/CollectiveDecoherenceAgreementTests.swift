import DickeBackend
import Physics
import Results
import TestSupport
import Testing

@testable import ExactBackend

/// On the collective model with both single-dipole terms on (docs/physics.md §1.5), the exact backend's
/// U(1) blocks (§6.5) and the permutation-symmetric backend's Dicke-basis rates (§6.4.1) are two
/// independent exact methods: they must agree to solver precision on every observable both give.
@Suite struct CollectiveDecoherenceAgreementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let n: Int, feff: Double, geff: Double, pump: Double, dephasing: Double, nonradiative: Double
        var testDescription: String { "N=\(n) feff=\(feff) W=\(pump) γφ=\(dephasing) γnr=\(nonradiative)" }
    }

    @Test(arguments: [
        Case(n: 4, feff: 3.5, geff: 0, pump: 2, dephasing: 0.7, nonradiative: 0.3),
        Case(n: 5, feff: 4.5, geff: 1.2, pump: 2.5, dephasing: 0.2, nonradiative: 0.6),
        Case(n: 6, feff: 5, geff: 0, pump: 3, dephasing: 2, nonradiative: 0),
        Case(n: 6, feff: 5.5, geff: -0.8, pump: 1.5, dephasing: 0, nonradiative: 1)
    ])
    func exactAndPermutationSymmetricAgree(_ c: Case) throws {
        var model = DipoleModel.collective(n: c.n, feff: c.feff, geff: c.geff, pump: c.pump)
        model.dephasing = c.dephasing
        model.nonradiativeDecay = c.nonradiative
        let observables: [ObservableRequest] = [
            .init(kind: .zq), .init(kind: .inversion), .init(kind: .qfi),
            .init(kind: .mutualInformation), .init(kind: .discord)
        ]
        let request = SolveRequest(model: model, observables: observables)
        let exact = try PlannedExact(method: .densityMatrix).solve(request)
        let dicke = try DickeBackend().solve(request)
        for (key, tolerance) in [("ZQ2", 1e-9), ("inversion", 1e-9), ("qfi", 1e-7), ("mutual-information", 1e-8), ("discord", 1e-7)] {
            let e = try #require(exact.number(key), "exact gives \(key)")
            let d = try #require(dicke.number(key), "permutation-symmetric gives \(key)")
            #expect(isClose(e, d, within: tolerance), "\(key): exact \(e), permutation-symmetric \(d)")
        }
        // The terms matter: without them Z_Q² differs.
        let plain = try DickeBackend().solve(
            SolveRequest(
                model: .collective(n: c.n, feff: c.feff, geff: c.geff, pump: c.pump),
                observables: [.init(kind: .zq)]))
        #expect(abs((plain.number("ZQ2") ?? .nan) - (dicke.number("ZQ2") ?? .nan)) > 1e-4)
    }
}
