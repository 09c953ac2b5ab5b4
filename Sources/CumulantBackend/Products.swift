import Foundation
import Numerics
import LinearAlgebra

/// Matrix products whose bits do not depend on the thread count.
///
/// OpenBLAS changes its blocking (and so the rounding of small products) with its thread count, so the
/// backend keeps OpenBLAS on one thread and parallelizes itself: the columns of the result are cut into
/// fixed blocks of `blockColumns` (independent of the thread count), each computed by one single-threaded
/// gemm call, and the blocks are shared among `threads` workers. Same blocks, same calls, same bits.
enum Products {
    static let blockColumns = 256

    static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
                     into c: inout Matrix, threads: Int) {
        let n = c.cols, m = c.rows
        let blocks = (n + blockColumns - 1) / blockColumns
        if blocks <= 1 {
            Matrix.gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
            return
        }
        let workers = max(1, min(threads, blocks))
        c.elements.withUnsafeMutableBufferPointer { out in
            let base = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for blk in stride(from: w, to: blocks, by: workers) {
                    let j0 = blk * blockColumns, j1 = min(n, j0 + blockColumns), width = j1 - j0
                    let sub: Matrix
                    if transposeB == .none {
                        sub = Matrix(rows: b.rows, cols: width, elements: Array(b.elements[(j0 * b.rows)..<(j1 * b.rows)]))
                    } else {
                        var s = Matrix(rows: width, cols: b.cols)
                        for col in 0..<b.cols { for r in j0..<j1 { s[r - j0, col] = b[r, col] } }
                        sub = s
                    }
                    var part = Matrix(rows: m, cols: width)
                    Matrix.gemm(a, sub, transposeA: transposeA, transposeB: transposeB, into: &part)
                    part.elements.withUnsafeBufferPointer { p in
                        for i in 0..<(m * width) { base[j0 * m + i] = p[i] }
                    }
                }
            }
        }
    }

    static func gemm(_ a: ComplexMatrix, _ b: ComplexMatrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
                     into c: inout ComplexMatrix, threads: Int) {
        let n = c.cols, m = c.rows
        let blocks = (n + blockColumns - 1) / blockColumns
        if blocks <= 1 {
            ComplexMatrix.gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
            return
        }
        let workers = max(1, min(threads, blocks))
        c.elements.withUnsafeMutableBufferPointer { out in
            let base = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for blk in stride(from: w, to: blocks, by: workers) {
                    let j0 = blk * blockColumns, j1 = min(n, j0 + blockColumns), width = j1 - j0
                    let sub: ComplexMatrix
                    if transposeB == .none {
                        sub = ComplexMatrix(rows: b.rows, cols: width, elements: Array(b.elements[(j0 * b.rows)..<(j1 * b.rows)]))
                    } else {
                        var s = ComplexMatrix(rows: width, cols: b.cols)
                        for col in 0..<b.cols { for r in j0..<j1 { s[r - j0, col] = b[r, col] } }
                        sub = s
                    }
                    var part = ComplexMatrix(rows: m, cols: width)
                    ComplexMatrix.gemm(a, sub, transposeA: transposeA, transposeB: transposeB, into: &part)
                    part.elements.withUnsafeBufferPointer { p in
                        for i in 0..<(m * width) { base[j0 * m + i] = p[i] }
                    }
                }
            }
        }
    }
}
