import Numerics

/// A dense real matrix in column-major order (the layout BLAS and LAPACK expect).
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    /// Column-major: element (i, j) is `elements[i + j * rows]`.
    public var elements: [Double]

    /// A matrix of `value`s (large ones filled by `threads` threads, `largeArray`).
    public init(rows: Int, cols: Int, repeating value: Double = 0, threads: Int = 1) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows
        self.cols = cols
        self.elements = largeArray(repeating: value, count: rows * cols, threads: threads)
    }

    public init(rows: Int, cols: Int, elements: [Double]) {
        precondition(elements.count == rows * cols, "element count does not match the shape")
        self.rows = rows
        self.cols = cols
        self.elements = elements
    }

    /// Builds a matrix from rows given as nested arrays (for tests and small literals).
    public init(_ rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        self.init(rows: r, cols: c)
        for i in 0..<r {
            precondition(rowArrays[i].count == c, "ragged rows")
            for j in 0..<c { self[i, j] = rowArrays[i][j] }
        }
    }

    /// An n×n matrix with entries `entry(i, j)`.
    public init(square n: Int, _ entry: (Int, Int) -> Double) {
        self.init(rows: n, cols: n)
        for j in 0..<n { for i in 0..<n { elements[i + j * n] = entry(i, j) } }
    }

    public static func identity(_ n: Int) -> Matrix {
        Matrix(square: n) { $0 == $1 ? 1 : 0 }
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { elements[i + j * rows] }
        set { elements[i + j * rows] = newValue }
    }

    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for j in 0..<cols { for i in 0..<rows { t[j, i] = self[i, j] } }
        return t
    }

    public var diagonal: [Double] { (0..<min(rows, cols)).map { self[$0, $0] } }

    /// Largest |a_ij − b_ij|.
    public func maxAbsDifference(_ other: Matrix) -> Double {
        precondition(rows == other.rows && cols == other.cols)
        var m = 0.0
        for k in elements.indices { m = max(m, abs(elements[k] - other.elements[k])) }
        return m
    }
}

/// A dense complex matrix in column-major order; `Complex<Double>` has the layout of two doubles.
public struct ComplexMatrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var elements: [Complex<Double>]

    public init(rows: Int, cols: Int, repeating value: Complex<Double> = .zero) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows
        self.cols = cols
        self.elements = largeArray(repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, elements: [Complex<Double>]) {
        precondition(elements.count == rows * cols, "element count does not match the shape")
        self.rows = rows
        self.cols = cols
        self.elements = elements
    }

    public init(square n: Int, _ entry: (Int, Int) -> Complex<Double>) {
        self.init(rows: n, cols: n)
        for j in 0..<n { for i in 0..<n { elements[i + j * n] = entry(i, j) } }
    }

    /// The complex matrix re + i·im.
    public init(real re: Matrix, imaginary im: Matrix? = nil) {
        self.init(rows: re.rows, cols: re.cols)
        for k in elements.indices {
            elements[k] = Complex(re.elements[k], im?.elements[k] ?? 0)
        }
    }

    public static func identity(_ n: Int) -> ComplexMatrix {
        ComplexMatrix(square: n) { $0 == $1 ? .one : .zero }
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Complex<Double> {
        get { elements[i + j * rows] }
        set { elements[i + j * rows] = newValue }
    }

    /// The conjugate transpose.
    public var adjoint: ComplexMatrix {
        var t = ComplexMatrix(rows: cols, cols: rows)
        for j in 0..<cols { for i in 0..<rows { t[j, i] = self[i, j].conjugate } }
        return t
    }

    public var real: Matrix { Matrix(rows: rows, cols: cols, elements: elements.map(\.real)) }
    public var imaginary: Matrix { Matrix(rows: rows, cols: cols, elements: elements.map(\.imaginary)) }

    public func maxAbsDifference(_ other: ComplexMatrix) -> Double {
        precondition(rows == other.rows && cols == other.cols)
        var m = 0.0
        for k in elements.indices { m = max(m, (elements[k] - other.elements[k]).length) }
        return m
    }
}
