internal import CLAPACK
import Numerics

/// Matrix products through OpenBLAS (`dgemm`, `zgemm`, `dgemv`, `zgemv`).
public enum Transpose: Sendable {
    case none, transpose, adjoint
    var cblas: CBLAS_TRANSPOSE {
        switch self {
        case .none: return CblasNoTrans
        case .transpose: return CblasTrans
        case .adjoint: return CblasConjTrans
        }
    }
}

extension Matrix {
    /// C ← α·op(A)·op(B) + β·C.
    public static func gemm(
        _ a: Matrix, _ b: Matrix, transposeA ta: Transpose = .none, transposeB tb: Transpose = .none,
        alpha: Double = 1, beta: Double = 0, into c: inout Matrix
    ) {
        let m = ta == .none ? a.rows : a.cols
        let k = ta == .none ? a.cols : a.rows
        let kb = tb == .none ? b.rows : b.cols
        let n = tb == .none ? b.cols : b.rows
        precondition(k == kb && c.rows == m && c.cols == n, "gemm: shapes do not match")
        if m == 0 || n == 0 { return }
        if k == 0 { for i in c.elements.indices { c.elements[i] *= beta }; return }
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(
                        CblasColMajor, ta.cblas, tb.cblas, Int32(m), Int32(n), Int32(k), alpha,
                        pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                        beta, pc.baseAddress, Int32(max(1, c.rows)))
                }
            }
        }
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, cols: b.cols)
        gemm(a, b, into: &c)
        return c
    }

    /// y = A·x.
    public func apply(_ x: [Double]) -> [Double] {
        precondition(x.count == cols)
        var y = [Double](repeating: 0, count: rows)
        if rows == 0 || cols == 0 { return y }
        elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_dgemv(
                        CblasColMajor, CblasNoTrans, Int32(rows), Int32(cols), 1, pa.baseAddress,
                        Int32(max(1, rows)), px.baseAddress, 1, 0, py.baseAddress, 1)
                }
            }
        }
        return y
    }
}

extension ComplexMatrix {
    /// C ← α·op(A)·op(B) + β·C.
    public static func gemm(
        _ a: ComplexMatrix, _ b: ComplexMatrix, transposeA ta: Transpose = .none, transposeB tb: Transpose = .none,
        alpha: Complex<Double> = .one, beta: Complex<Double> = .zero,
        into c: inout ComplexMatrix
    ) {
        let m = ta == .none ? a.rows : a.cols
        let k = ta == .none ? a.cols : a.rows
        let kb = tb == .none ? b.rows : b.cols
        let n = tb == .none ? b.cols : b.rows
        precondition(k == kb && c.rows == m && c.cols == n, "zgemm: shapes do not match")
        if m == 0 || n == 0 { return }
        if k == 0 { for i in c.elements.indices { c.elements[i] = c.elements[i] * beta }; return }
        var al = alpha, be = beta
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    cblas_zgemm(
                        CblasColMajor, ta.cblas, tb.cblas, Int32(m), Int32(n), Int32(k), &al,
                        pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                        &be, pc.baseAddress, Int32(max(1, c.rows)))
                }
            }
        }
    }

    public static func * (a: ComplexMatrix, b: ComplexMatrix) -> ComplexMatrix {
        var c = ComplexMatrix(rows: a.rows, cols: b.cols)
        gemm(a, b, into: &c)
        return c
    }

    /// y = A·x.
    public func apply(_ x: [Complex<Double>]) -> [Complex<Double>] {
        precondition(x.count == cols)
        var y = [Complex<Double>](repeating: .zero, count: rows)
        if rows == 0 || cols == 0 { return y }
        var one = Complex<Double>.one, zero = Complex<Double>.zero
        elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_zgemv(
                        CblasColMajor, CblasNoTrans, Int32(rows), Int32(cols), &one, pa.baseAddress,
                        Int32(max(1, rows)), px.baseAddress, 1, &zero, py.baseAddress, 1)
                }
            }
        }
        return y
    }
}

/// The BLAS library's identity and thread count (recorded in bundle manifests).
public enum BLASLibrary {
    /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String {
        guard let c = openblas_get_config() else { return "OpenBLAS (unknown build)" }
        return String(cString: c)
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of BLAS threads (benchmarks and tests of thread independence; computations use
    /// `useOneThread`).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// Puts OpenBLAS on one thread, for good. Its thread count changes its blocking and so the last bits
    /// of products and of LAPACK's reductions; dipolesync parallelizes around BLAS instead, with fixed
    /// partitions (`BlockedProducts`). Not restored afterwards: a restore races with other callers
    /// running concurrently (the points of a sweep, tests) and could put one of them back on several
    /// threads mid-computation.
    public static func useOneThread() { openblas_set_num_threads(1) }
}
