import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import TestSupport
import XCTest

@testable import Execution

/// Large tables as NumPy `.npy` files (docs/spec-language.md §11.3): the format rule, the bytes numpy
/// expects, a round trip, and a bundle whose 10⁶-number `phases` table is binary — written, read back,
/// compared by `rerun`'s comparison and caught when changed.
final class BinaryTableTests: XCTestCase {
    func testFormatFollowsTheNumberOfCells() {
        XCTAssertEqual(TableFile.format(rows: 250_000, columns: 4), .csv)
        XCTAssertEqual(TableFile.format(rows: 250_001, columns: 4), .npy)
        XCTAssertEqual(TableFile.format(rows: 142_857, columns: 7), .csv)
        XCTAssertEqual(TableFile.format(rows: 142_858, columns: 7), .npy)
        // A 10⁶-dipole correlation table does not overflow the estimate: 8 bytes × 4 × 10¹².
        XCTAssertEqual(TableFile.bytes(rows: 1e12, columns: 4), 3.2e13, accuracy: 1e3)
        XCTAssertEqual(TableFile.bytes(rows: 10, columns: 2), 25 * 20 + 64)
    }

    /// The header numpy writes for the same structured array (numpy 2: `np.save` of
    /// `np.zeros(2, dtype=[('a', '<f8'), ('S-perp', '<f8')])`), padded to 64 bytes.
    func testHeaderIsNumpys() throws {
        let t = ResultTable(name: "phases", columns: ["a", "S-perp"], rows: [[0, 0.25], [1, -.infinity]])
        let d = TableFile.npy(t)
        let header = "{'descr': [('a', '<f8'), ('S-perp', '<f8')], 'fortran_order': False, 'shape': (2,), }"
        XCTAssertEqual(Array(d.prefix(8)), [0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = Int(d[8]) | Int(d[9]) << 8
        XCTAssertEqual((10 + length) % 64, 0)
        XCTAssertEqual(String(decoding: d[10..<(10 + header.utf8.count)], as: UTF8.self), header)
        XCTAssertEqual(d.count, 10 + length + 2 * 2 * 8)
        // Little-endian IEEE 754: 0.25 is 0x3FD0000000000000.
        XCTAssertEqual(Array(d[(10 + length + 8)..<(10 + length + 16)]), [0, 0, 0, 0, 0, 0, 0xD0, 0x3F])
        let back = try TableFile.readNPY(d)
        XCTAssertEqual(back.columns, t.columns)
        XCTAssertEqual(back.rows, 2)
        XCTAssertEqual(back[1, 1], -.infinity)
        XCTAssertThrowsError(try TableFile.readNPY(d.dropLast(8)))
        XCTAssertThrowsError(try TableFile.readNPY(Data("a,b\n1,2\n".utf8)))
    }

    /// A 150 000-dipole chain in mean field with lattice couplings (FFT products), briefly evolved: its
    /// `phases` table (1.05·10⁶ numbers) is written as .npy, numpy reads it as the table, the
    /// re-executed results compare equal, and a changed number is found at its row and column.
    func testLargePhasesTableIsBinaryAndRerunComparesIt() throws {
        let spec = """
            dipolesync: 1
            name: binary-phases
            system:
              lattice: {shape: chain, sites: 150000, spacing: 0.02 lambda}
              couplings: {dipolar: {elastic: off}}
              polarization: {angle: magic}
              pump: {rate: 12 Gamma}
            initial: {product: {polar: 90 deg, azimuth: random}}
            evolve: {until: 0.2 /Gamma, samples: 2}
            observables: [Z, phases]
            solver: {backend: mean-field, couplings: lattice, seed: 7}

            """
        let (c, p) = try compileAndPlan(spec)
        let outcomes = try Executor(compiled: c, plan: p, registry: .standard).run()
        let files = BundleWriter.resultFiles(compiled: c, outcomes: outcomes)
        XCTAssertNil(files.first { $0.path == "tables/point-0000/phases.csv" })
        let npy = try XCTUnwrap(files.first { $0.path == "tables/point-0000/phases.npy" }?.data)
        let table = try XCTUnwrap(outcomes.first?.result.tables.first { $0.name == "phases" })
        let decoded = try TableFile.readNPY(npy)
        XCTAssertEqual(decoded.columns, table.columns)
        XCTAssertEqual(decoded.rows, 150_000)
        XCTAssertEqual(decoded.values, table.rows.flatMap { $0 })
        XCTAssertLessThanOrEqual(Double(npy.count), TableFile.bytes(rows: 150_000, columns: 7))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-npy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let contents = BundleWriter.contents(compiled: c, plan: p, outcomes: outcomes, threads: 1, totalSeconds: 1)
        let bundle = try BundleWriter.write(contents, to: dir.path, force: false)
        // The pictures draw a subset (Figures.maxDrawnDipoles) and stay small.
        let svg = try XCTUnwrap(contents.files.first { $0.path == "figures/bloch.svg" }?.data)
        XCTAssertLessThan(svg.count, 2_000_000)
        let (_, listed) = try BundleVerifier.check(bundle)
        XCTAssertTrue(listed.contains { $0.path == "tables/point-0000/phases.npy" })
        let again = BundleWriter.resultFiles(compiled: c, outcomes: try Executor(compiled: c, plan: p, registry: .standard).run())
        let same = BundleVerifier.compareResults(bundle: bundle, listed: listed, fresh: again, rtol: 0)
        XCTAssertEqual(same.differences.map(\.description), [])
        XCTAssertEqual(same.compared, files.count)

        // One number changed by a relative 1e-6: found at row 7, column 6 (phi), and within rtol 1e-5.
        var changed = table
        changed.rows[7][5] *= 1 + 1e-6
        var tampered = again
        let i = try XCTUnwrap(tampered.firstIndex { $0.path.hasSuffix("phases.npy") })
        tampered[i].data = TableFile.npy(changed)
        let diff = BundleVerifier.compareResults(bundle: bundle, listed: listed, fresh: tampered, rtol: 0).differences
        XCTAssertEqual(diff.map(\.location), ["row 7, column 6 (phi)"])
        XCTAssertTrue(BundleVerifier.compareResults(bundle: bundle, listed: listed, fresh: tampered, rtol: 1e-5).differences.isEmpty)

        if Subprocess.pythonHas("numpy") {
            let script = """
                import sys, numpy as np
                t = np.load(sys.argv[1])
                print(t.dtype.names, t.shape[0], repr(float(t['phi'][7])), repr(float(t['S-perp'][149999])))
                """
            let path = (bundle as NSString).appendingPathComponent("tables/point-0000/phases.npy")
            let out = Subprocess.run(["python3", "-c", script, path], timeout: 120)
            XCTAssertEqual(out.status, 0, out.stderr)
            let expected =
                "('a', 'x', 'y', 'z', 'S-perp', 'phi', 's') 150000 \(table.rows[7][5]) \(table.rows[149_999][4])"
            XCTAssertEqual(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines), expected)
        }
    }
}
