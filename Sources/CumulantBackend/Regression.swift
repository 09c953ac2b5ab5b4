import Foundation
import LinearAlgebra
import Numerics
import Physics
import Results

/// Two-time correlations by the quantum regression theorem with the cumulant closure (docs/physics.md §5.5):
///
///     G_ab(τ) = ⟨σ⁺_a(τ) σ⁻_b(0)⟩,  dG/dτ = M G,  M = diag(iδ_a − (Γ+W)/2) + ½ diag(s) K*,
///     G(0) = C with C_aa = (1 + s_a)/2,
///
/// solved through one eigen-decomposition M = Φ diag(λ) Φ⁻¹: G(τ) = Φ e^{λτ} B with B = Φ⁻¹ G(0).
/// Every correlation is then a sum of exponentials Σ_k w_k e^{λ_k τ}; the collective emission
/// spectrum S(ω) = 2 Re ∫₀^∞ ⟨J⁺(τ) J⁻(0)⟩ e^{−iωτ} dτ (J⁺ = Σ_a σ⁺_a) is the sum of Lorentzians
/// 2 Re Σ_k c_k / (iω − λ_k), normalized so that ∫ S dω/2π = ⟨J⁺J⁻⟩. With this sign convention a
/// dipole detuned by +δ emits at ω = +δ (σ⁺ rotates as e^{+iδτ}).
public struct Regression {
    public let lambda: [Complex<Double>]
    let phi: ComplexMatrix
    let b: ComplexMatrix
    public var count: Int { lambda.count }

    public init(system: CumulantSystem, state: [Double]) throws {
        let n = system.n
        let m = LyapunovPreconditioner.regressionMatrix(system: system, s: system.inversions(state))
        let (lambda, phi) = try singleThreaded { try eigen(m) }
        if let bad = lambda.first(where: { $0.real >= 0 }) {
            throw BackendError.numerical(
                "the regression matrix has a non-decaying mode (eigenvalue \(bad.real) + \(bad.imaginary)i): the cumulant state is not a stable steady state"
            )
        }
        var g0 = ComplexMatrix(rows: n, cols: n)
        for bb in 0..<n { for a in 0..<n { g0[a, bb] = system.c(state, a, bb) } }
        do { b = try singleThreaded { try LinearAlgebra.solve(phi, g0) } } catch {
            throw BackendError.numerical("the regression matrix is not diagonalizable (\(error))")
        }
        self.lambda = lambda
        self.phi = phi
    }

    /// Weights w_k of Z_ab(τ) = ⟨(σ⁺_a(τ) + σ⁺_b(τ))(σ⁻_a(0) + σ⁻_b(0))⟩ = Σ_k w_k e^{λ_k τ}.
    public func pairWeights(_ a: Int, _ bIndex: Int) -> [Complex<Double>] {
        (0..<count).map { k in (phi[a, k] + phi[bIndex, k]) * (b[k, a] + b[k, bIndex]) }
    }

    /// Weights w_k of G_ab(τ) = Σ_k w_k e^{λ_k τ}.
    public func correlationWeights(_ a: Int, _ bIndex: Int) -> [Complex<Double>] {
        (0..<count).map { k in phi[a, k] * b[k, bIndex] }
    }

    /// The mode that dominates a correlation Σ_k w_k e^{λ_k τ}: the highest Lorentzian of its spectrum,
    /// largest |w_k|/|Re λ_k| (docs/physics.md §3.3). Its frequency Im λ and decay rate −Re λ.
    public func dominantMode(_ w: [Complex<Double>]) -> (frequency: Double, decay: Double) {
        var best = (height: -1.0, k: 0)
        for k in 0..<count {
            let h = w[k].length / max(-lambda[k].real, 1e-300)
            if h > best.height { best = (h, k) }
        }
        guard count > 0 else { return (.nan, .nan) }
        return (lambda[best.k].imaginary, -lambda[best.k].real)
    }

    /// The precession of dipole a: the dominant mode of its own ⟨σ⁺_a(τ) σ⁻_a(0)⟩ (docs/physics.md §3.3).
    /// Signed: a lone dipole detuned by δ gives +δ. Dipoles whose emission is dominated by the same
    /// (collective) mode share its frequency exactly.
    public func dipoleLine(_ a: Int) -> (frequency: Double, decay: Double) {
        dominantMode(correlationWeights(a, a))
    }

    /// Weights c_k of ⟨J⁺(τ) J⁻(0)⟩ = Σ_k c_k e^{λ_k τ}.
    public func collectiveWeights() -> [Complex<Double>] {
        (0..<count).map { k in
            var rowSum = Complex<Double>.zero, colSum = Complex<Double>.zero
            for a in 0..<count { rowSum = rowSum + phi[a, k]; colSum = colSum + b[k, a] }
            return rowSum * colSum
        }
    }

    public func evaluate(_ w: [Complex<Double>], at tau: Double) -> Complex<Double> {
        var z = Complex<Double>.zero
        for k in 0..<count {
            let e = Complex.exp(lambda[k] * Complex(tau))
            z = z + w[k] * e
        }
        return z
    }

    /// S(ω) = 2 Re Σ_k c_k / (iω − λ_k).
    public func spectrum(_ c: [Complex<Double>], at omega: Double) -> Double {
        var s = 0.0
        for k in 0..<count {
            let d = Complex(-lambda[k].real, omega - lambda[k].imaginary)
            s += (c[k] / d).real
        }
        return 2 * s
    }

    /// dS/dω = 2 Re Σ_k −i c_k / (iω − λ_k)².
    public func slope(_ c: [Complex<Double>], at omega: Double) -> Double {
        var s = 0.0
        for k in 0..<count {
            let d = Complex(-lambda[k].real, omega - lambda[k].imaginary)
            s += (c[k] * Complex(0, -1) / (d * d)).real
        }
        return 2 * s
    }

    /// Peak position, peak value and full width at half maximum of S(ω), with the ω grid that was searched.
    public func spectralLine(_ c: [Complex<Double>]) -> (peak: Double, height: Double, fwhm: Double, range: ClosedRange<Double>) {
        // Modes that matter: Lorentzian heights |c_k|/|Re λ_k| within 1e-4 of the largest.
        let heights = (0..<count).map { c[$0].length / max(-lambda[$0].real, 1e-300) }
        let hmax = heights.max() ?? 0
        var lo = Double.infinity, hi = -Double.infinity
        for k in 0..<count where heights[k] >= 1e-4 * hmax {
            lo = min(lo, lambda[k].imaginary + 10 * lambda[k].real)
            hi = max(hi, lambda[k].imaginary - 10 * lambda[k].real)
        }
        if !(lo < hi) { lo = -1; hi = 1 }
        let points = 4001
        let step = (hi - lo) / Double(points - 1)
        var best = (omega: lo, s: -Double.infinity)
        for i in 0..<points {
            let w = lo + step * Double(i)
            let s = spectrum(c, at: w)
            if s > best.s { best = (w, s) }
        }
        // Refine the maximum in [ω − step, ω + step] by bisection on the sign of dS/dω.
        var a = best.omega - step, bb = best.omega + step
        if slope(c, at: a) > 0 && slope(c, at: bb) < 0 {
            for _ in 0..<200 {
                let mid = (a + bb) / 2
                if mid <= a || mid >= bb { break }
                if slope(c, at: mid) > 0 { a = mid } else { bb = mid }
            }
        } else {
            a = best.omega; bb = best.omega
        }
        let peak = (a + bb) / 2
        let height = spectrum(c, at: peak)
        let half = height / 2
        func crossing(direction: Double) -> Double {
            var inner = peak, outer = peak
            var width = max(step, 1e-12)
            repeat {
                inner = outer
                outer = peak + direction * width
                width *= 2
            } while spectrum(c, at: outer) > half && width < 1e12
            for _ in 0..<100 {
                let mid = (inner + outer) / 2
                if spectrum(c, at: mid) > half { inner = mid } else { outer = mid }
            }
            return (inner + outer) / 2
        }
        let fwhm = crossing(direction: 1) - crossing(direction: -1)
        return (peak, height, fwhm, lo...hi)
    }
}
