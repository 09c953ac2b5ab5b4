import Foundation

/// The rates of the permutation-symmetric master equation in the Dicke basis |j, m⟩ (docs/physics.md §6.4).
///
/// For all-to-all couplings f_ab = f_eff/N, g_ab = g_eff/N (a ≠ b), f_aa = Γ and a uniform detuning δ,
///
///     L = c·D[J⁻] + γ Σ_a D[σ⁻_a] + W Σ_a D[σ⁺_a] − i[H, ·],
///     c = f_eff/N,  γ = Γ − f_eff/N,
///     H = δ J_z + (g_eff/2N)(J⁺J⁻ − J_z − N/2)   (eigenvalue E(j, m) below).
///
/// A permutation-symmetric state is ρ = ⊕_j ρ_j ⊗ 1_{d_j} with d_j = N!(2j+1)/((N/2+j+1)!(N/2−j)!)
/// copies of each spin-j block. We store R^j_{m,m'} = d_j ⟨j,m|ρ_j|j,m'⟩ (the block's total weight, so
/// Tr ρ = Σ_{j,m} R^j_{m,m}); in these variables the local jump terms Σ_a σ⁻_a ρ σ⁺_a and Σ_a σ⁺_a ρ σ⁻_a
/// take the coefficients of Chase & Geremia, PRA 78, 052101 (2008) and Shammah et al., PRA 98, 063815
/// (2018) without degeneracy ratios (checked against a dense Liouvillian in the tests). A jump from
/// source (J, M, M') lands on (J', M∓1, M'∓1) with weight `prefactor · X(J, M) · X(J, M')`; `Jump`
/// lists the six channels. Populations (M = M') then follow a Markov chain with rates prefactor · X².
///
/// Single-dipole decoherence (docs/physics.md §6.4.1): non-radiative decay γ_nr adds to the local decay,
/// γ = Γ + γ_nr − f_eff/N (the caller passes Γ + γ_nr as `gamma`); local dephasing (γ_φ/2) Σ_a D[σᶻ_a]
/// keeps m and m' and moves j by 0 or ±1 (`Dephasing`, `dephasingRate`, `dephasingDiagonal`). With
/// γ_φ = 0 every rate is computed exactly as without it.
public struct DickeLadder: Sendable {
    /// Number of dipoles N ≥ 1.
    public let n: Int
    /// Collective rate c = f_eff/N, local decay γ = Γ − f_eff/N, pump W (all in Γ).
    public let collective: Double, local: Double, pump: Double
    /// Uniform detuning δ and elastic coupling g_eff (in Γ).
    public let detuning: Double, geff: Double
    /// Local pure dephasing γ_φ of (γ_φ/2) Σ_a D[σᶻ_a] (in Γ; docs/physics.md §1.5, §6.4.1).
    public let dephasing: Double

    public init(
        n: Int, gamma: Double, feff: Double, geff: Double, pump: Double, detuning: Double,
        dephasing: Double = 0
    ) {
        self.n = n
        self.dephasing = dephasing
        self.collective = feff / Double(n)
        self.local = gamma - feff / Double(n)
        self.pump = pump
        self.detuning = detuning
        self.geff = geff
    }

    /// The local processes alone (no collective emission, no elastic coupling) of `n` dipoles (n ≥ 0):
    /// local decay at rate `local`, pump, dephasing and the detuning `detuning` (the energy δ m). The
    /// N − D undistinguished dipoles of `DistinguishedDipoles` (docs/physics.md §6.6) carry these.
    public init(localOnly n: Int, local: Double, pump: Double, detuning: Double, dephasing: Double) {
        self.n = n
        self.dephasing = dephasing
        self.collective = 0
        self.local = local
        self.pump = pump
        self.detuning = detuning
        self.geff = 0
    }

    /// N/2.
    @inlinable public var half: Double { Double(n) / 2 }
    /// The smallest j (0 or ½) and the number of j values ⌊N/2⌋ + 1.
    @inlinable public var jMin: Double { Double(n % 2) / 2 }
    @inlinable public var jCount: Int { n / 2 + 1 }
    /// j of index t (t = 0 … ⌊N/2⌋).
    @inlinable public func j(_ t: Int) -> Double { jMin + Double(t) }

    /// The six jump channels: emission (m → m−1) and pump (m → m+1), each keeping j or moving it by ±1.
    public enum Jump: CaseIterable, Sendable {
        case emitSame, emitDown, emitUp, pumpSame, pumpDown, pumpUp
        /// Change of m and of j.
        @inlinable public var dm: Int {
            switch self {
            case .emitSame, .emitDown, .emitUp: return -1;
            default: return 1
            }
        }
        @inlinable public var dj: Int {
            switch self {
            case .emitSame, .pumpSame: return 0;
            case .emitDown, .pumpDown: return -1;
            default: return 1
            }
        }
    }

    /// The prefactor of channel `jump` from block J (0 where the channel does not exist).
    @inlinable public func prefactor(_ jump: Jump, _ jj: Double) -> Double {
        let h = half
        switch jump {
        case .emitSame: return collective + (jj > 0 ? local * (h + 1) / (2 * jj * (jj + 1)) : 0)
        case .emitDown: return jj > 0 ? local * (h + jj + 1) / (2 * jj * (2 * jj + 1)) : 0
        case .emitUp: return jj < h ? local * (h - jj) / (2 * (jj + 1) * (2 * jj + 1)) : 0
        case .pumpSame: return jj > 0 ? pump * (h + 1) / (2 * jj * (jj + 1)) : 0
        case .pumpDown: return jj > 0 ? pump * (h + jj + 1) / (2 * jj * (2 * jj + 1)) : 0
        case .pumpUp: return jj < h ? pump * (h - jj) / (2 * (jj + 1) * (2 * jj + 1)) : 0
        }
    }

    /// X(J, M)² of channel `jump` (a product of two integers, so exact in double precision; zero when
    /// the target state does not exist).
    @inlinable public func factor2(_ jump: Jump, _ jj: Double, _ m: Double) -> Double {
        switch jump {
        case .emitSame: return (jj + m) * (jj - m + 1)
        case .emitDown: return (jj + m) * (jj + m - 1)
        case .emitUp: return (jj - m + 1) * (jj - m + 2)
        case .pumpSame: return (jj - m) * (jj + m + 1)
        case .pumpDown: return (jj - m) * (jj - m - 1)
        case .pumpUp: return (jj + m + 1) * (jj + m + 2)
        }
    }

    /// Population transfer rate of `jump` out of (J, M).
    @inlinable public func rate(_ jump: Jump, _ jj: Double, _ m: Double) -> Double {
        prefactor(jump, jj) * factor2(jump, jj, m)
    }

    /// Total decay rate of (j, m): Λ = c(j+m)(j−m+1) + γ(N/2 + m) + W(N/2 − m) (⟨c†c⟩ summed over
    /// the jump operators; equals the sum of the six channel rates).
    /// With dephasing, its j-changing loss `dephasingLoss` is added.
    @inlinable public func outflow(_ jj: Double, _ m: Double) -> Double {
        let base = collective * (jj + m) * (jj - m + 1) + local * (half + m) + pump * (half - m)
        if dephasing == 0 { return base }
        return base + dephasingLoss(jj, m)
    }

    // MARK: local dephasing (docs/physics.md §6.4.1)

    /// The two j-changing dephasing channels: (J, M, M') → (J ∓ 1, M, M').
    public enum Dephasing: CaseIterable, Sendable {
        case down, up
        /// Change of j (m is kept).
        @inlinable public var dj: Int { self == .down ? -1 : 1 }
    }

    /// Prefactor of a dephasing channel from block J (0 where the channel does not exist):
    /// γ_φ (N/2 + J + 1)/(J(2J + 1)) for J → J − 1, γ_φ (N/2 − J)/((J + 1)(2J + 1)) for J → J + 1.
    @inlinable public func dephasingPrefactor(_ c: Dephasing, _ jj: Double) -> Double {
        switch c {
        case .down: return jj > 0 ? dephasing * (half + jj + 1) / (jj * (2 * jj + 1)) : 0
        case .up: return jj < half ? dephasing * (half - jj) / ((jj + 1) * (2 * jj + 1)) : 0
        }
    }

    /// X(J, M)² of a dephasing channel: J² − M² (down), (J + 1)² − M² (up); zero when the target
    /// state does not exist.
    @inlinable public func dephasingFactor2(_ c: Dephasing, _ jj: Double, _ m: Double) -> Double {
        switch c {
        case .down: return (jj - m) * (jj + m)
        case .up: return (jj + 1 - m) * (jj + 1 + m)
        }
    }

    /// Population rate of dephasing channel `c` out of (J, M).
    @inlinable public func dephasingRate(_ c: Dephasing, _ jj: Double, _ m: Double) -> Double {
        dephasingPrefactor(c, jj) * dephasingFactor2(c, jj, m)
    }

    /// The j-changing loss of (j, m) under dephasing, γ_φ (N/2 − m² (N/2 + 1)/(j(j + 1))) (γ_φ N/2 at
    /// j = 0): the sum of the two `dephasingRate`s.
    @inlinable public func dephasingLoss(_ jj: Double, _ m: Double) -> Double {
        jj > 0 ? dephasing * (half - m * m * (half + 1) / (jj * (jj + 1))) : dephasing * half
    }

    /// The diagonal dephasing coefficient of a coherence X^j_{m,m'} beyond ½(loss(m) + loss(m')):
    /// the full diagonal is −γ_φ (N/2 − m m' (N/2 + 1)/(j(j + 1))), which exceeds the mean of the two
    /// population losses by γ_φ (N/2 + 1)(m − m')²/(2 j(j + 1)).
    @inlinable public func dephasingCoherenceExtra(_ jj: Double, _ m: Double, _ mp: Double) -> Double {
        jj > 0 ? dephasing * (half + 1) * (m - mp) * (m - mp) / (2 * jj * (jj + 1)) : 0
    }

    /// Energy E(j, m) = δ m + (g_eff/2N)((j+m)(j−m+1) − m − N/2) of H.
    @inlinable public func energy(_ jj: Double, _ m: Double) -> Double {
        detuning * m + geff / (2 * Double(n)) * ((jj + m) * (jj - m + 1) - m - half)
    }
}
