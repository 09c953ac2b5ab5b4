import Foundation
import LinearAlgebra
import Physics

/// The same model with translation-invariant couplings held two ways: as lattice kernels (FFT
/// products, docs/physics.md §2.6) and as dense f and g, for the tests that compare the two paths of a
/// backend. `couplings` is "power-law" (f = strength·(a/r)^α, g = 0), "dipolar perpendicular",
/// "dissipative magic" (f only) or any other text for dipolar at the magic angle; spacing 0.1 λ.
public func latticeModelPair(
    lattice: Lattice, couplings: String, alpha: Double, strength: Double, detunings: [Double], pump: Double = 4
) -> (dense: DipoleModel, lattice: DipoleModel) {
    let theta = acos(1 / 3.0.squareRoot())
    let magic = SIMD3(cos(theta), 0, sin(theta))
    let l: LatticeCouplings, d: Couplings
    let spacing = 0.1
    switch couplings {
    case "power-law":
        l = LatticeCouplings.powerLaw(lattice: lattice, alpha: alpha, strength: strength)!
        d = Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: alpha, strength: strength)
    default:
        let orientation = couplings == "dipolar perpendicular" ? SIMD3<Double>(0, 0, 1) : magic
        let elastic = couplings != "dissipative magic"
        l = LatticeCouplings.dipolar(lattice: lattice, spacing: spacing, orientation: orientation, elastic: elastic)!
        d = Couplings.dipolar(positions: lattice.unitPositions.map { $0 * spacing }, orientation: orientation, elastic: elastic)
    }
    let pos = lattice.unitPositions.map { $0 * spacing }
    return (
        DipoleModel(pump: pump, detunings: detunings, f: d.f, g: d.g, positions: pos),
        DipoleModel(pump: pump, detunings: detunings, f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0), positions: pos, lattice: l)
    )
}
