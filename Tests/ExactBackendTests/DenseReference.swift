import Foundation
import LinearAlgebra
import Numerics
import TestSupport

@testable import ExactBackend

extension DenseReference {
    /// The dense 2^N × 2^N matrix of a charge-s block operator (basis of `DenseReference`: bit a set = dipole a up).
    static func dense(_ x: [Complex<Double>], layout: BlockLayout, basis: SectorBasis) -> ComplexMatrix {
        var m = ComplexMatrix(rows: 1 << basis.n, cols: 1 << basis.n)
        for r in layout.sectors {
            let c = r + layout.shift
            let dr = layout.rows[r]
            for j in 0..<layout.cols[r] {
                for i in 0..<dr {
                    m[Int(basis.states[r][i]), Int(basis.states[c][j])] = x[layout.offsets[r] + i + j * dr]
                }
            }
        }
        return m
    }
}
