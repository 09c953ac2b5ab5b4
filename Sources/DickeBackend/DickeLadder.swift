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
public struct DickeLadder: Sendable {
    /// Number of dipoles N ≥ 1.
    public let n: Int
    /// Collective rate c = f_eff/N, local decay γ = Γ − f_eff/N, pump W (all in Γ).
    public let collective: Double, local: Double, pump: Double
    /// Uniform detuning δ and elastic coupling g_eff (in Γ).
    public let detuning: Double, geff: Double

    public init(n: Int, gamma: Double, feff: Double, geff: Double, pump: Double, detuning: Double) {
        self.n = n
        self.collective = feff / Double(n)
        self.local = gamma - feff / Double(n)
        self.pump = pump
        self.detuning = detuning
        self.geff = geff
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
        @inlinable public var dm: Int { switch self { case .emitSame, .emitDown, .emitUp: return -1; default: return 1 } }
        @inlinable public var dj: Int {
            switch self { case .emitSame, .pumpSame: return 0; case .emitDown, .pumpDown: return -1; default: return 1 }
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
    @inlinable public func outflow(_ jj: Double, _ m: Double) -> Double {
        collective * (jj + m) * (jj - m + 1) + local * (half + m) + pump * (half - m)
    }

    /// Energy E(j, m) = δ m + (g_eff/2N)((j+m)(j−m+1) − m − N/2) of H.
    @inlinable public func energy(_ jj: Double, _ m: Double) -> Double {
        detuning * m + geff / (2 * Double(n)) * ((jj + m) * (jj - m + 1) - m - half)
    }
}
