/// Where s_a, C_ab and D_ab lie in a packed state, residual or Krylov vector of the cumulant equations
/// (docs/physics.md §5.3.2).
///
/// Full: s_0 … s_{N−1}, then for every pair a < b in the order p = b(b−1)/2 + a the three numbers
/// Re C_ab, Im C_ab, D_ab.
///
/// Reflected: for lattice couplings and equal detunings the equations commute with the lattice's point
/// reflection a ↦ a' = N − 1 − a (r ↦ −r about the centre maps a chain, square or cubic lattice onto
/// itself, and f, g depend on r_a − r_b through even functions), and so do the steady state and every
/// start of the solver: s_a = s_a', C_ab = C_a'b', D_ab = D_a'b'. Only one member of each orbit is
/// stored: s_a for a ≤ a' (⌈N/2⌉ numbers), and in column b the pairs a < min(b, N − b), i.e. a < b with
/// a + b ≤ N − 1 (N²/4 pairs for even N, about half of N(N − 1)/2). A pair with a + b > N − 1 reads
/// (b', a'), whose C is the complex conjugate: C_ab = C_a'b' = (C_b'a')*. Pairs with a + b = N − 1 are
/// their own images, so their Im C vanishes.
public struct PackedLayout: Sendable, Equatable {
    public let n: Int
    public let reflected: Bool
    /// Number of s entries: N, or ⌈N/2⌉ reflected.
    public let sCount: Int
    /// Pairs stored before column b (n + 1 entries).
    private let columnStart: [Int]

    public init(n: Int, reflected: Bool) {
        self.n = n
        self.reflected = reflected && n >= 2
        sCount = self.reflected ? (n + 1) / 2 : n
        var start = [Int](repeating: 0, count: n + 1)
        for b in 0..<n { start[b + 1] = start[b] + (self.reflected ? min(b, n - b) : b) }
        columnStart = start
    }

    /// Pairs stored: N(N − 1)/2, or ⌊N²/4⌋ reflected (Σ_b min(b, N − b)).
    public var pairCount: Int { columnStart[n] }
    /// Pairs stored before column b.
    @inline(__always) public func pairsBefore(_ b: Int) -> Int { columnStart[b] }
    /// `count` without building a layout (memory estimates).
    public static func count(n: Int, reflected: Bool) -> Int {
        reflected && n >= 2 ? (n + 1) / 2 + 3 * (n * n / 4) : n + 3 * (n * (n - 1) / 2)
    }
    /// `xColumns` without building a layout.
    public static func xColumns(n: Int, reflected: Bool) -> Int { reflected && n >= 2 ? (n + 1) / 2 : n }
    /// Length of a packed vector.
    public var count: Int { sCount + 3 * pairCount }
    /// Pairs a < b of N dipoles, stored or not.
    public var allPairs: Int { n * (n - 1) / 2 }
    /// Columns of X = K*C that determine it: X_a'b' = X_ab (K commutes with the reflection), so the
    /// columns b ≥ ⌈N/2⌉ are those of b' (reflected), else N.
    public var xColumns: Int { sCount }

    /// Pairs stored in column b: a = 0 ..< pairsInColumn(b).
    @inline(__always) public func pairsInColumn(_ b: Int) -> Int { columnStart[b + 1] - columnStart[b] }
    /// Index of Re C_ab of the first pair stored in column b.
    @inline(__always) public func columnOffset(_ b: Int) -> Int { sCount + 3 * columnStart[b] }
    /// Index of s_a.
    @inline(__always) public func sIndex(_ a: Int) -> Int { reflected && 2 * a > n - 1 ? n - 1 - a : a }
    /// For a < b: index of Re C_ab (Im C_ab and D_ab follow), and whether the stored C is C_ab's conjugate.
    @inline(__always) public func slot(_ a: Int, _ b: Int) -> (index: Int, conjugate: Bool) {
        if !reflected || a + b <= n - 1 { return (columnOffset(b) + 3 * a, false) }
        return (columnOffset(n - 1 - a) + 3 * (n - 1 - b), true)
    }
    /// C_ab for a ≠ b (zero for a = b: the zero diagonal of the equations).
    @inline(__always) public func c(_ v: UnsafeBufferPointer<Double>, _ a: Int, _ b: Int) -> (re: Double, im: Double) {
        if a == b { return (0, 0) }
        let (k, conjugate) = a < b ? slot(a, b) : slot(b, a)
        let flip = conjugate != (a > b)
        return (v[k], flip ? -v[k + 1] : v[k + 1])
    }
    /// How many of the N(N − 1)/2 pairs the stored pair (a, b) stands for: 2, or 1 for a pair that is its
    /// own image (a + b = N − 1) and in the full layout.
    @inline(__always) public func multiplicity(_ a: Int, _ b: Int) -> Double { reflected && a + b != n - 1 ? 2 : 1 }

    /// s_0 … s_{N−1} of a packed vector.
    public func inversions(_ v: [Double]) -> [Double] { (0..<n).map { v[sIndex($0)] } }
}
