import Foundation
import LinearAlgebra
import Numerics
import TestSupport

extension DenseReference {
    /// The packed moments (s, C, D) of ρ in the layout of `CumulantSystem`.
    func packedMoments(_ rho: ComplexMatrix) -> [Double] {
        var v = [Double](repeating: 0, count: n + 3 * n * (n - 1) / 2)
        for a in 0..<n { v[a] = expect(sz[a], rho).real }
        var k = n
        for b in 0..<n {
            for a in 0..<b {
                let c = expect(raise[a] * lower[b], rho)
                v[k] = c.real; v[k + 1] = c.imaginary
                v[k + 2] = expect(sz[a] * sz[b], rho).real
                k += 3
            }
        }
        return v
    }

    /// ⟨σᶻ_a σ⁺_c σ⁻_b⟩.
    func threePoint(_ a: Int, _ c: Int, _ b: Int, _ rho: ComplexMatrix) -> Complex<Double> {
        expect(sz[a] * raise[c] * lower[b], rho)
    }
}
