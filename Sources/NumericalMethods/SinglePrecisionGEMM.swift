internal import CLAPACK
import Numerics

/// A square complex matrix in single precision (interleaved re, im; column-major), for the exact
/// backend's steady-state preconditioner: its products only steer GMRES, so float accuracy (~1e-7)
/// costs a few iterations at most while halving the memory traffic and doubling the SIMD width.
public struct FloatComplexMatrix {
    public let n: Int
    /// 2n² floats: re, im of entry (i, j) at 2(i + j n) and 2(i + j n) + 1.
    public var storage: [Float]

    /// The single-precision copy of the n × n column-major matrix `m`.
    public init(_ m: [Complex<Double>], n: Int) {
        self.n = n
        var s = [Float](repeating: 0, count: 2 * n * n)
        for i in 0..<(n * n) { s[2 * i] = Float(m[i].real); s[2 * i + 1] = Float(m[i].imaginary) }
        storage = s
    }

    /// The n × n zero matrix.
    public init(zero n: Int) { self.n = n; storage = [Float](repeating: 0, count: 2 * n * n) }

    /// C ← A · op(B) with op = identity or conjugate transpose (OpenBLAS cgemm3m).
    public static func multiply(_ a: FloatComplexMatrix, _ b: FloatComplexMatrix, adjointB: Bool, into c: inout FloatComplexMatrix) {
        let n = a.n
        var one: (Float, Float) = (1, 0), zero: (Float, Float) = (0, 0)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    withUnsafePointer(to: &one) { po in
                        withUnsafePointer(to: &zero) { pz in
                            cblas_cgemm3m(
                                CblasColMajor, CblasNoTrans, adjointB ? CblasConjTrans : CblasNoTrans,
                                Int32(n), Int32(n), Int32(n), po, pa.baseAddress, Int32(n), pb.baseAddress, Int32(n),
                                pz, pc.baseAddress, Int32(n))
                        }
                    }
                }
            }
        }
    }
}
