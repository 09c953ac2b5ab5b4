import Foundation
import LinearAlgebra

/// A model's couplings as an operator, whichever way they are held (`CouplingRepresentation`,
/// docs/physics.md §2.6): dense matrices (any positions), the two numbers of an all-to-all model
/// (`DipoleModel.uniform`, O(1) memory, O(N) products), or the spectra of a translation-invariant
/// lattice (`LatticeCouplings`, O(N) memory, O(N log N) products). Not thread-safe (the lattice
/// products own FFT buffers): make one per thread.
public final class CouplingOperator {
    public let representation: CouplingRepresentation
    public let count: Int
    private let dense: Couplings?
    private let uniform: (feff: Double, geff: Double, gamma: Double)?
    private let lattice: LatticeProduct?

    /// The operator of `model`'s couplings, in the representation the model holds them in.
    public init(_ model: DipoleModel) {
        count = model.count
        representation = model.representation
        switch model.representation {
        case .dense:
            dense = Couplings(f: model.f, g: model.g); uniform = nil; lattice = nil
        case .lattice:
            dense = nil; uniform = nil; lattice = model.lattice.map(LatticeProduct.init)
        case .uniform:
            dense = nil; lattice = nil
            uniform = (model.uniform?.feff ?? 0, model.uniform?.geff ?? 0, model.gamma)
        }
    }

    /// (f + i g) β for β = re + i·im; with `offDiagonal` the diagonal terms are left out
    /// (k_a = Σ_{b≠a} (f_ab + i g_ab) β_b).
    public func apply(real re: [Double], imaginary im: [Double], offDiagonal: Bool = false) -> (real: [Double], imaginary: [Double]) {
        precondition(re.count == count && im.count == count)
        let n = count
        if let lattice { return lattice.apply(real: re, imaginary: im, offDiagonal: offDiagonal) }
        if let u = uniform {
            // f_ab = f_eff/N, g_ab = g_eff/N off the diagonal; f_aa = Γ, g_aa = 0.
            let nn = Double(max(n, 1))
            let (fo, go) = (u.feff / nn, u.geff / nn)
            let sr = re.reduce(0, +), si = im.reduce(0, +)
            var kr = [Double](repeating: 0, count: n), ki = kr
            for a in 0..<n {
                let (xr, xi) = (sr - re[a], si - im[a])
                kr[a] = fo * xr - go * xi + (offDiagonal ? 0 : u.gamma * re[a])
                ki[a] = fo * xi + go * xr + (offDiagonal ? 0 : u.gamma * im[a])
            }
            return (kr, ki)
        }
        guard let d = dense else { return (re.map { _ in 0 }, im.map { _ in 0 }) }
        let (fr, fi, gr, gi) = (d.f.apply(re), d.f.apply(im), d.g.apply(re), d.g.apply(im))
        var kr = (0..<n).map { fr[$0] - gi[$0] }, ki = (0..<n).map { fi[$0] + gr[$0] }
        if offDiagonal {
            for a in 0..<n {
                kr[a] -= d.f[a, a] * re[a] - d.g[a, a] * im[a]
                ki[a] -= d.f[a, a] * im[a] + d.g[a, a] * re[a]
            }
        }
        return (kr, ki)
    }

    /// Each column of a block of complex vectors (N × k, column-major) in turn.
    public func apply(real re: Matrix, imaginary im: Matrix, offDiagonal: Bool = false) -> (real: Matrix, imaginary: Matrix) {
        precondition(re.rows == count && im.rows == count && im.cols == re.cols)
        let n = count
        var kr = Matrix(rows: n, cols: re.cols), ki = kr
        for j in 0..<re.cols {
            let cols = (j * n)..<((j + 1) * n)
            let (r, i) = apply(real: Array(re.elements[cols]), imaginary: Array(im.elements[cols]), offDiagonal: offDiagonal)
            kr.elements.replaceSubrange(cols, with: r)
            ki.elements.replaceSubrange(cols, with: i)
        }
        return (kr, ki)
    }

    /// f_eff and g_eff (docs/physics.md §2.4).
    public var effective: (f: Double, g: Double) {
        if let lattice { return (lattice.couplings.feff, lattice.couplings.geff) }
        if let u = uniform { return (u.feff, u.geff) }
        guard let d = dense else { return (0, 0) }
        return (Couplings.effective(d.f), Couplings.effective(d.g))
    }

    /// The diagonals of f and g.
    public var diagonal: (f: [Double], g: [Double]) {
        if let lattice { return (Array(repeating: lattice.couplings.gamma, count: count), Array(repeating: 0, count: count)) }
        if let u = uniform { return (Array(repeating: u.gamma, count: count), Array(repeating: 0, count: count)) }
        guard let d = dense else { return ([], []) }
        return (d.f.diagonal, d.g.diagonal)
    }

    /// The smallest eigenvalue of f for the positivity check of docs/physics.md §2.5: LAPACK for dense
    /// matrices, the closed form min(Γ − f_eff/N, Γ + f_eff(N−1)/N) for the all-to-all model, the
    /// circulant bound or a Lanczos iteration for a lattice (`LatticeCouplings.smallestRateEigenvalue`).
    public func smallestRateEigenvalue(tolerance: Double = PlannerThresholds.rateMatrixTolerance) throws -> Double {
        if let lattice { return try lattice.couplings.smallestRateEigenvalue(tolerance: tolerance) }
        if let u = uniform {
            let n = Double(max(count, 1))
            return count >= 2 ? min(u.gamma - u.feff / n, u.gamma + u.feff * (n - 1) / n) : u.gamma
        }
        guard let d = dense else { return 0 }
        return try Couplings.smallestRateEigenvalue(d.f)
    }
}
