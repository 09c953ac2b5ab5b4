import Foundation
import LinearAlgebra

/// A model's couplings as an operator, whichever way they are held (`CouplingRepresentation`,
/// docs/physics.md §2.6): dense matrices (any positions), the two numbers of an all-to-all model
/// (`DipoleModel.uniform`, O(1) memory, O(N) products), or the spectra of a translation-invariant
/// lattice (`LatticeCouplings`, O(N) memory, O(N log N) products). Every backend that multiplies
/// vectors by f + i g goes through it (the mean-field equations, `MeanFieldDynamics`). Not
/// thread-safe (the products own their scratch: BLAS blocks, FFT buffers): make one per thread.
public final class CouplingOperator {
    public let representation: CouplingRepresentation
    public let count: Int
    private let storage: Storage
    /// The dense products' N×2 blocks X = [Re β, Im β], f·X and g·X (empty for the other representations).
    private var x: Matrix
    private var fx: Matrix
    private var gx: Matrix

    private enum Storage {
        /// f and g as the model holds them (no copy), their diagonals, and whether g has a nonzero entry.
        case dense(f: Matrix, g: Matrix, fDiagonal: [Double], gDiagonal: [Double], elastic: Bool)
        case uniform(feff: Double, geff: Double, gamma: Double)
        case lattice(LatticeProduct)
    }

    /// The operator of `model`'s couplings, in the representation the model holds them in.
    public init(_ model: DipoleModel) {
        let n = model.count
        count = n
        representation = model.representation
        if model.hasMatrices {
            storage = .dense(
                f: model.f, g: model.g, fDiagonal: model.f.diagonal, gDiagonal: model.g.diagonal,
                elastic: model.g.elements.contains { $0 != 0 })
        } else if let l = model.lattice {
            storage = .lattice(LatticeProduct(l))
        } else {
            storage = .uniform(feff: model.uniform?.feff ?? 0, geff: model.uniform?.geff ?? 0, gamma: model.gamma)
        }
        let dense = representation == .dense
        x = Matrix(rows: dense ? n : 0, cols: 2)
        fx = Matrix(rows: dense ? n : 0, cols: 2)
        gx = Matrix(rows: dense ? n : 0, cols: 2)
    }

    /// k = (f + i g) β for β = re + i·im, into kr and ki; with `offDiagonal` the diagonal terms are
    /// left out (k_a = Σ_{b≠a} (f_ab + i g_ab) β_b, the coupling sums of docs/physics.md §4.1).
    /// Dense: the BLAS products f·X and g·X of the N×2 block X = [Re β, Im β] (the g product skipped
    /// when g = 0), the diagonal terms subtracted afterwards; uniform: Σ_b β_b once, then
    /// (f_eff + i g_eff)/N (Σ_b β_b − β_a); lattice: one FFT product (`LatticeProduct`).
    public func apply(
        real re: UnsafeBufferPointer<Double>, imaginary im: UnsafeBufferPointer<Double>,
        intoReal kr: UnsafeMutableBufferPointer<Double>, imaginary ki: UnsafeMutableBufferPointer<Double>,
        offDiagonal: Bool
    ) {
        let n = count
        precondition(re.count == n && im.count == n && kr.count == n && ki.count == n)
        switch storage {
        case .lattice(let product):
            product.apply(real: re, imaginary: im, intoReal: kr, imaginary: ki, offDiagonal: offDiagonal)
        case .uniform(let feff, let geff, let gamma):
            let nn = Double(max(n, 1))
            let (fo, go) = (feff / nn, geff / nn)
            var sr = 0.0, si = 0.0
            for a in 0..<n {
                sr += re[a]
                si += im[a]
            }
            let diagonal = offDiagonal ? 0 : gamma
            for a in 0..<n {
                let (xr, xi) = (sr - re[a], si - im[a])
                kr[a] = fo * xr - go * xi + diagonal * re[a]
                ki[a] = fo * xi + go * xr + diagonal * im[a]
            }
        case .dense(let f, let g, let fDiagonal, let gDiagonal, let elastic):
            x.elements.withUnsafeMutableBufferPointer { px in
                for a in 0..<n {
                    px[a] = re[a]
                    px[n + a] = im[a]
                }
            }
            Matrix.gemm(f, x, into: &fx)
            if elastic { Matrix.gemm(g, x, into: &gx) }
            fx.elements.withUnsafeBufferPointer { fb in
                gx.elements.withUnsafeBufferPointer { gb in
                    fDiagonal.withUnsafeBufferPointer { fd in
                        gDiagonal.withUnsafeBufferPointer { gd in
                            for a in 0..<n {
                                let br = re[a], bi = im[a]
                                let (fr, fi) = offDiagonal ? (fd[a] * br, fd[a] * bi) : (0, 0)
                                var r = fb[a] - fr
                                var i = fb[n + a] - fi
                                if elastic {
                                    let (gr, gi) = offDiagonal ? (gd[a] * br, gd[a] * bi) : (0, 0)
                                    r -= gb[n + a] - gi
                                    i += gb[a] - gr
                                }
                                kr[a] = r
                                ki[a] = i
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same on arrays.
    public func apply(real re: [Double], imaginary im: [Double], offDiagonal: Bool = false) -> (real: [Double], imaginary: [Double]) {
        precondition(re.count == count && im.count == count)
        var kr = [Double](repeating: 0, count: count), ki = kr
        re.withUnsafeBufferPointer { pr in
            im.withUnsafeBufferPointer { pi in
                kr.withUnsafeMutableBufferPointer { qr in
                    ki.withUnsafeMutableBufferPointer { qi in
                        apply(real: pr, imaginary: pi, intoReal: qr, imaginary: qi, offDiagonal: offDiagonal)
                    }
                }
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
        switch storage {
        case .lattice(let p): return (p.couplings.feff, p.couplings.geff)
        case .uniform(let feff, let geff, _): return (feff, geff)
        case .dense(let f, let g, _, _, _): return (Couplings.effective(f), Couplings.effective(g))
        }
    }

    /// The diagonals of f and g.
    public var diagonal: (f: [Double], g: [Double]) {
        switch storage {
        case .lattice(let p): return (Array(repeating: p.couplings.gamma, count: count), Array(repeating: 0, count: count))
        case .uniform(_, _, let gamma): return (Array(repeating: gamma, count: count), Array(repeating: 0, count: count))
        case .dense(_, _, let fd, let gd, _): return (fd, gd)
        }
    }

    /// The lattice couplings, when held as such.
    public var lattice: LatticeCouplings? {
        if case .lattice(let p) = storage { return p.couplings }
        return nil
    }

    /// The largest off-diagonal absolute row sum max_a Σ_{b≠a} |f_ab + i g_ab| (the rate scale of the
    /// mean-field equations): (N − 1)/N·|f_eff + i g_eff| for the all-to-all model, the lattice's
    /// `couplingScale`, the row sums of the dense matrices.
    public var couplingScale: Double {
        switch storage {
        case .lattice(let p): return p.couplings.couplingScale
        case .uniform(let feff, let geff, _):
            let n = Double(count)
            return count >= 2 ? (n - 1) / n * (feff * feff + geff * geff).squareRoot() : 0
        case .dense(let f, let g, _, _, _):
            let n = count
            var rowSums = [Double](repeating: 0, count: n)
            f.elements.withUnsafeBufferPointer { pf in
                g.elements.withUnsafeBufferPointer { pg in
                    for b in 0..<n {
                        let col = b * n
                        for a in 0..<n where a != b {
                            let fv = pf[col + a], gv = pg[col + a]
                            rowSums[a] += (fv * fv + gv * gv).squareRoot()
                        }
                    }
                }
            }
            return rowSums.max() ?? 0
        }
    }

    /// The smallest eigenvalue of f for the positivity check of docs/physics.md §2.5: LAPACK for dense
    /// matrices, the closed form min(Γ − f_eff/N, Γ + f_eff(N−1)/N) for the all-to-all model, the
    /// circulant bound or a Lanczos iteration for a lattice (`LatticeCouplings.smallestRateEigenvalue`).
    public func smallestRateEigenvalue(tolerance: Double = PlannerThresholds.rateMatrixTolerance) throws -> Double {
        switch storage {
        case .lattice(let p): return try p.couplings.smallestRateEigenvalue(tolerance: tolerance)
        case .uniform(let feff, _, let gamma):
            let n = Double(max(count, 1))
            return count >= 2 ? min(gamma - feff / n, gamma + feff * (n - 1) / n) : gamma
        case .dense(let f, _, _, _, _): return try Couplings.smallestRateEigenvalue(f)
        }
    }
}
