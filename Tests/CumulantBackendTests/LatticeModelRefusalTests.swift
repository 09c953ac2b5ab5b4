import LinearAlgebra
import Physics
import Results
import Testing

@testable import CumulantBackend

/// The cumulant backend holds f and g dense: handed a lattice model (FFT spectra, docs/physics.md §2.6,
/// which the planner never sends it) it refuses with the reason instead of reading empty matrices.
struct LatticeModelRefusalTests {
    @Test func refusesALatticeModel() throws {
        let l = try #require(LatticeCouplings.powerLaw(lattice: .chain(12), alpha: 1.5, strength: 0.25))
        let model = DipoleModel(
            pump: 2, detunings: Array(repeating: 0, count: 12), f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0), lattice: l)
        #expect(model.representation == .lattice)
        do {
            _ = try CumulantBackend().solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .zq)]))
            Issue.record("a lattice model was accepted")
        } catch BackendError.unsupported(let why) {
            #expect(why.contains("lattice representation"))
        }
    }
}
