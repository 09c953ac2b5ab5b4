import Foundation
import LinearAlgebra
import Numerics

/// Quantum and classical correlations of two dipoles from their 4×4 reduced state (docs/physics.md §3.5).
///
/// Basis order: index = 2·i_A + i_B with i = 0 for |↑⟩ and 1 for |↓⟩, so (|↑↑⟩, |↑↓⟩, |↓↑⟩, |↓↓⟩);
/// A is the first dipole of the pair. Entropies in bits.
public enum PairCorrelations {
    /// The X state fixed by second-order moments (docs/physics.md §5.6): populations
    /// p_{σσ'} = (1 + σ s_a + σ' s_b + σσ' D_ab)/4 and ⟨↑↓|ρ|↓↑⟩ = C_ab* where C_ab = ⟨σ⁺_a σ⁻_b⟩.
    public static func xState(sa: Double, sb: Double, dab: Double, cab: Complex<Double>) -> ComplexMatrix {
        var rho = ComplexMatrix(rows: 4, cols: 4)
        let signs: [(Double, Double)] = [(1, 1), (1, -1), (-1, 1), (-1, -1)]
        for (k, (sg, sgp)) in signs.enumerated() {
            rho[k, k] = Complex((1 + sg * sa + sgp * sb + sg * sgp * dab) / 4)
        }
        rho[1, 2] = cab.conjugate
        rho[2, 1] = cab
        return rho
    }

    /// Von Neumann entropy −Tr ρ log₂ ρ of a Hermitian density matrix (eigenvalues ≤ 0 contribute 0).
    public static func entropy(_ rho: ComplexMatrix) throws -> Double {
        let w = try hermitianEigen(rho).values
        return w.reduce(0) { $0 + (($1 > 1e-300) ? -$1 * log2($1) : 0) }
    }

    /// Partial traces of a two-qubit state: (ρ_A, ρ_B).
    public static func marginals(_ rho: ComplexMatrix) -> (a: ComplexMatrix, b: ComplexMatrix) {
        var ra = ComplexMatrix(rows: 2, cols: 2), rb = ComplexMatrix(rows: 2, cols: 2)
        for i in 0..<2 {
            for j in 0..<2 {
                for k in 0..<2 {
                    ra[i, j] = ra[i, j] + rho[2 * i + k, 2 * j + k]
                    rb[i, j] = rb[i, j] + rho[2 * k + i, 2 * k + j]
                }
            }
        }
        return (ra, rb)
    }

    /// Mutual information I = S_A + S_B − S_AB.
    public static func mutualInformation(_ rho: ComplexMatrix) throws -> Double {
        let (ra, rb) = marginals(rho)
        return try entropy(ra) + entropy(rb) - entropy(rho)
    }

    /// Entropy of a 2×2 density matrix from its Bloch vector length: h((1 + |r|)/2).
    static func qubitEntropy(_ r00: Double, _ r11: Double, _ r01: Complex<Double>) -> Double {
        let tr = r00 + r11
        guard tr > 0 else { return 0 }
        let z = (r00 - r11) / tr, x = 2 * r01.length / tr
        let len = min(1, (z * z + x * x).squareRoot())
        let p = (1 + len) / 2, q = (1 - len) / 2
        var s = 0.0
        if p > 1e-300 { s -= p * log2(p) }
        if q > 1e-300 { s -= q * log2(q) }
        return s
    }

    /// J(n) = S_B − Σ_k p_k S(ρ_B|k) for the projective measurement of A along the Bloch direction (θ, φ).
    static func classicalInformation(_ rho: ComplexMatrix, theta: Double, phi: Double, sb: Double) -> Double {
        // Projectors on A: |n+⟩ = (cos θ/2, e^{iφ} sin θ/2), |n−⟩ = (−e^{−iφ} sin θ/2, cos θ/2) in (↑, ↓).
        let c = cos(theta / 2), s = sin(theta / 2)
        let e = Complex<Double>(cos(phi), sin(phi))
        let plus: [Complex<Double>] = [Complex(c), e * Complex(s)]
        let minus: [Complex<Double>] = [-(e.conjugate) * Complex(s), Complex(c)]
        var conditional = 0.0
        for v in [plus, minus] {
            // ρ_B|k ∝ Σ_{i,j} v_i* ρ[(i,·),(j,·)] v_j
            var m = [[Complex<Double>]](repeating: [.zero, .zero], count: 2)
            for i in 0..<2 {
                for j in 0..<2 {
                    let w = v[i].conjugate * v[j]
                    for k in 0..<2 { for l in 0..<2 { m[k][l] = m[k][l] + w * rho[2 * i + k, 2 * j + l] } }
                }
            }
            let p = m[0][0].real + m[1][1].real
            if p > 1e-300 { conditional += p * qubitEntropy(m[0][0].real, m[1][1].real, m[0][1]) }
        }
        return sb - conditional
    }

    /// Quantum discord D_{B|A} = I − max_{projective measurements on A} J (Ollivier & Zurek; Henderson &
    /// Vedral). The maximum is found on a 17 × 32 grid of Bloch directions, then refined by a shrinking
    /// pattern search to 1e-10 rad.
    public static func discord(_ rho: ComplexMatrix) throws -> Double {
        let mi = try mutualInformation(rho)
        let (_, rb) = marginals(rho)
        let sb = qubitEntropy(rb[0, 0].real, rb[1, 1].real, rb[0, 1])
        var best = (j: -Double.infinity, theta: 0.0, phi: 0.0)
        let nt = 17, np = 32
        for it in 0..<nt {
            let theta = Double.pi * Double(it) / Double(nt - 1)
            for ip in 0..<np {
                let phi = 2 * Double.pi * Double(ip) / Double(np)
                let j = classicalInformation(rho, theta: theta, phi: phi, sb: sb)
                if j > best.j { best = (j, theta, phi) }
            }
        }
        var step = Double.pi / Double(nt - 1)
        while step > 1e-10 {
            var improved = false
            for (dt, dp) in [(step, 0.0), (-step, 0.0), (0.0, step), (0.0, -step)] {
                let j = classicalInformation(rho, theta: best.theta + dt, phi: best.phi + dp, sb: sb)
                if j > best.j { best = (j, best.theta + dt, best.phi + dp); improved = true }
            }
            if !improved { step /= 2 }
        }
        return max(0, mi - best.j)
    }
}
