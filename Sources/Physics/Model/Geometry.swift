/// Lattice geometries of the spec (docs/spec-language.md §4.2, `system.lattice`), positions in units of the spacing.
///
/// Site order: index = ix + nx·(iy + ny·iz), 0-based. Chains lie along x, planar lattices in the
/// x–y plane. The central dipole is (⌊nx/2⌋, ⌊ny/2⌋, ⌊nz/2⌋).
public enum Lattice: Sendable, Equatable {
    case chain(Int)
    case square(Int, Int)
    case cubic(Int, Int, Int)
    /// A triangular lattice of nx × ny sites: row iy is shifted by iy/2 along x and lies at iy·√3/2.
    case triangular(Int, Int)
    /// Explicit positions in units of the spacing.
    case positions([SIMD3<Double>])
    /// No geometry: every pair couples alike.
    case allToAll(Int)

    /// (nx, ny, nz) for the regular lattices; (N, 1, 1) for the others.
    public var extent: (Int, Int, Int) {
        switch self {
        case .chain(let n), .allToAll(let n): return (n, 1, 1)
        case .square(let x, let y), .triangular(let x, let y): return (x, y, 1)
        case .cubic(let x, let y, let z): return (x, y, z)
        case .positions(let p): return (p.count, 1, 1)
        }
    }

    /// Number of dipoles.
    public var count: Int {
        let (x, y, z) = extent
        return x * y * z
    }

    /// The index of the central dipole.
    public var centralIndex: Int {
        let (nx, ny, nz) = extent
        return nx / 2 + nx * (ny / 2 + ny * (nz / 2))
    }

    /// Positions in units of the spacing (empty for all-to-all).
    public var unitPositions: [SIMD3<Double>] {
        switch self {
        case .allToAll: return []
        case .positions(let p): return p
        case .triangular(let nx, let ny):
            var out: [SIMD3<Double>] = []
            out.reserveCapacity(nx * ny)
            let h = 3.0.squareRoot() / 2
            for iy in 0..<ny { for ix in 0..<nx { out.append(SIMD3(Double(ix) + 0.5 * Double(iy), h * Double(iy), 0)) } }
            return out
        default:
            let (nx, ny, nz) = extent
            var out: [SIMD3<Double>] = []
            out.reserveCapacity(nx * ny * nz)
            for iz in 0..<nz {
                for iy in 0..<ny {
                    for ix in 0..<nx {
                        out.append(SIMD3(Double(ix), Double(iy), Double(iz)))
                    }
                }
            }
            return out
        }
    }

    /// The indices c, c+1, …, c+d−1 along x from the central dipole c (the cluster of docs/spec-language.md §6,
    /// `cluster-ZQ`), or nil when the row holds fewer than d sites from c on.
    public func cluster(size d: Int) -> [Int]? {
        let (nx, _, _) = extent
        let c = centralIndex
        let cx = c % max(nx, 1)
        guard d >= 1, cx + d <= nx else { return nil }
        return (0..<d).map { c + $0 }
    }
}
