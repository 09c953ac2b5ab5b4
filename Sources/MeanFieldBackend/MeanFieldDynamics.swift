import Foundation
import LinearAlgebra
import Numerics
import Physics

/// The mean-field equations of docs/physics.md §4.1 in the complex (β, s) form, with the single-dipole
/// decoherence of docs/physics.md §4.5,
///
///     dβ_a/dt = −(iδ_a + (Γ_a + γ_nr + W)/2 + γ_φ) β_a + ½ s_a Σ_{b≠a} (f_ab + i g_ab) β_b
///     ds_a/dt = −(Γ_a + γ_nr)(1 + s_a) + W(1 − s_a) − 2 Σ_{b≠a} Re[(f_ab + i g_ab) β_a* β_b]
///
/// with β_a = ⟨σ⁻_a⟩, s_a = ⟨σᶻ_a⟩ and Γ_a = f_aa (with γ_φ = γ_nr = 0 the added terms are exact
/// zeros, so the arithmetic is that of §4.1 bit for bit). The state is the flat vector
/// y = (Re β_0…Re β_{N−1}, Im β_0…Im β_{N−1}, s_0…s_{N−1}). The coupling sums are one product of the
/// model's `CouplingOperator` (docs/physics.md §2.6): two BLAS products f·X and g·X with dense
/// matrices (2·N²·2 flops each, no copy of f or g), O(N) for the all-to-all model, one FFT product on
/// a lattice. Memory beyond the model is O(N).
final class MeanFieldDynamics {
    let n: Int
    /// The couplings f + i g, in the representation the model holds them in.
    let couplings: CouplingOperator
    let fDiagonal: [Double]
    let detunings: [Double]
    let pump: Double
    /// Local pure dephasing γ_φ and non-radiative decay γ_nr (docs/physics.md §1.5, §4.5).
    let dephasing: Double
    let nonradiativeDecay: Double
    /// The coupling sums k (real parts, then imaginary parts).
    private var k: [Double]
    /// Number of right-hand-side evaluations so far.
    private(set) var evaluations = 0

    init(model: DipoleModel) {
        n = model.count
        couplings = CouplingOperator(model)
        fDiagonal = couplings.diagonal.f
        detunings = model.detunings
        pump = model.pump
        dephasing = model.dephasing
        nonradiativeDecay = model.nonradiativeDecay
        k = [Double](repeating: 0, count: 2 * n)
    }

    /// The coupling sums k_a = Σ_{b≠a} (f_ab + i g_ab) β_b for the β held in y[0..<2N], written
    /// to k (real parts in k[0..<N], imaginary parts in k[N..<2N]).
    private func couplingSums(_ y: [Double]) {
        let n = self.n
        k.withUnsafeMutableBufferPointer { pk in
            y.withUnsafeBufferPointer { py in
                couplings.apply(
                    real: UnsafeBufferPointer(rebasing: py[0..<n]), imaginary: UnsafeBufferPointer(rebasing: py[n..<(2 * n)]),
                    intoReal: UnsafeMutableBufferPointer(rebasing: pk[0..<n]),
                    imaginary: UnsafeMutableBufferPointer(rebasing: pk[n..<(2 * n)]), offDiagonal: true)
            }
        }
    }

    /// dy/dt at y (see the type's documentation).
    func rhs(_ y: [Double], _ dy: inout [Double]) {
        evaluations += 1
        couplingSums(y)
        let n = self.n, w = pump, gphi = dephasing, gnr = nonradiativeDecay
        k.withUnsafeBufferPointer { k in
            y.withUnsafeBufferPointer { py in
                dy.withUnsafeMutableBufferPointer { pd in
                    detunings.withUnsafeBufferPointer { det in
                        fDiagonal.withUnsafeBufferPointer { fd in
                            for a in 0..<n {
                                let br = py[a], bi = py[n + a], s = py[2 * n + a]
                                let kr = k[a], ki = k[n + a]
                                // docs/physics.md §4.5: Γ_a → Γ_a + γ_nr, and γ_φ damps β only.
                                let decay = fd[a] + gnr
                                let half = 0.5 * (decay + w) + gphi
                                pd[a] = det[a] * bi - half * br + 0.5 * s * kr
                                pd[n + a] = -det[a] * br - half * bi + 0.5 * s * ki
                                pd[2 * n + a] = -decay * (1 + s) + w * (1 - s) - 2 * (br * kr + bi * ki)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The common rotation ω that best explains dβ/dt = −iωβ (least squares over the dipoles,
    /// ω = −Σ Im(β_a* β̇_a)/Σ|β_a|²: the phase velocity of ⟨σ⁺⟩); the stationarity residual in the
    /// frame rotating with it, max_a max(|β̇_a + iωβ_a|, |ṡ_a|); and the relative growth rate of
    /// the coherences, Σ Re(β_a* β̇_a)/Σ|β_a|² (positive while the state leaves the unstable
    /// incoherent fixed point β = 0, negative while it decays to it). ω and the growth are nil
    /// when every β_a = 0.
    func rotatingFrameResidual(_ y: [Double], _ dy: [Double]) -> (omega: Double?, residual: Double, growth: Double?) {
        let n = self.n
        var num = 0.0, den = 0.0, grow = 0.0
        for a in 0..<n {
            let br = y[a], bi = y[n + a], dr = dy[a], di = dy[n + a]
            num -= br * di - bi * dr   // −Im(β* β̇)
            grow += br * dr + bi * di   // Re(β* β̇)
            den += br * br + bi * bi
        }
        let omega: Double? = den > 0 ? num / den : nil
        let om = omega ?? 0
        var r = 0.0
        for a in 0..<n {
            // β̇ + iωβ = (dr − ω bi) + i(di + ω br)
            let er = dy[a] - om * y[n + a], ei = dy[n + a] + om * y[a]
            r = max(r, (er * er + ei * ei).squareRoot(), abs(dy[2 * n + a]))
        }
        return (omega, r, den > 0 ? grow / den : nil)
    }
}
