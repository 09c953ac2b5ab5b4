import Dispatch
import Numerics

/// A dense column-major matrix with a BLAS product: what the thread-independent product needs.
public protocol BlockableMatrix {
    associatedtype Element
    var rows: Int { get }
    var cols: Int { get }
    var elements: [Element] { get set }
    init(rows: Int, cols: Int, elements: [Element])
    subscript(i: Int, j: Int) -> Element { get set }
    /// A zero matrix.
    static func zeros(rows: Int, cols: Int) -> Self
    /// C ← op(A)·op(B) through BLAS.
    static func product(_ a: Self, _ b: Self, transposeA: Transpose, transposeB: Transpose, into c: inout Self)
}

extension Matrix: BlockableMatrix {
    public static func zeros(rows: Int, cols: Int) -> Matrix { Matrix(rows: rows, cols: cols) }
    public static func product(_ a: Matrix, _ b: Matrix, transposeA: Transpose, transposeB: Transpose, into c: inout Matrix) {
        gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
    }
}

extension ComplexMatrix: BlockableMatrix {
    public static func zeros(rows: Int, cols: Int) -> ComplexMatrix { ComplexMatrix(rows: rows, cols: cols) }
    public static func product(
        _ a: ComplexMatrix, _ b: ComplexMatrix, transposeA: Transpose, transposeB: Transpose,
        into c: inout ComplexMatrix
    ) {
        gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
    }
}

/// Matrix products whose bits do not depend on the thread count.
///
/// OpenBLAS changes its blocking (and so the rounding of products) with its thread count, so callers
/// keep OpenBLAS on one thread and parallelize here: the columns of C = op(A)·op(B) are cut into fixed
/// blocks of `blockColumns` (independent of the thread count), each computed by one single-threaded
/// gemm call, and the blocks are shared among `threads` workers. Same blocks, same calls, same bits.
public enum BlockedProducts {
    public static let blockColumns = 256

    public static func gemm(
        _ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
        into c: inout Matrix, threads: Int
    ) {
        blocked(a, b, transposeA: transposeA, transposeB: transposeB, into: &c, threads: threads)
    }

    public static func gemm(
        _ a: ComplexMatrix, _ b: ComplexMatrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
        into c: inout ComplexMatrix, threads: Int
    ) {
        blocked(a, b, transposeA: transposeA, transposeB: transposeB, into: &c, threads: threads)
    }

    /// The product for either element type, specialized by the two entry points above (a generic entry
    /// point called from another module copied the blocks element by element through value witnesses:
    /// 5 % of a 4 000-dipole cumulant steady state).
    @inline(__always)
    static func blocked<M: BlockableMatrix>(
        _ a: M, _ b: M, transposeA: Transpose, transposeB: Transpose, into c: inout M, threads: Int
    ) {
        let n = c.cols, m = c.rows
        let blocks = (n + blockColumns - 1) / blockColumns
        if blocks <= 1 {
            M.product(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
            return
        }
        let workers = max(1, min(threads, blocks))
        c.elements.withUnsafeMutableBufferPointer { out in
            let base = out
            concurrentForEach(iterations: workers) { w in   // worker w writes column blocks w, w + workers, …
                for blk in stride(from: w, to: blocks, by: workers) {
                    let j0 = blk * blockColumns, j1 = min(n, j0 + blockColumns), width = j1 - j0
                    let sub: M
                    if transposeB == .none {
                        sub = M(rows: b.rows, cols: width, elements: Array(b.elements[(j0 * b.rows)..<(j1 * b.rows)]))
                    } else {
                        var s = M.zeros(rows: width, cols: b.cols)
                        for col in 0..<b.cols { for r in j0..<j1 { s[r - j0, col] = b[r, col] } }
                        sub = s
                    }
                    var part = M.zeros(rows: m, cols: width)
                    M.product(a, sub, transposeA: transposeA, transposeB: transposeB, into: &part)
                    part.elements.withUnsafeBufferPointer { p in
                        for i in 0..<(m * width) { base[j0 * m + i] = p[i] }
                    }
                }
            }
        }
    }
}
