import LinearAlgebra
import Numerics
import XCTest

@testable import Physics

final class PairCorrelationsTests: XCTestCase {
    func testBellStateHasTwoBitsOfMutualInformationAndOneOfDiscord() throws {
        // (|↑↓⟩ + |↓↑⟩)/√2: the X state with s = D... populations 0, ½, ½, 0 and coherence ½.
        let rho = PairCorrelations.xState(sa: 0, sb: 0, dab: -1, cab: Complex(0.5))
        XCTAssertEqual(try PairCorrelations.mutualInformation(rho), 2, accuracy: 1e-12)
        XCTAssertEqual(try PairCorrelations.discord(rho), 1, accuracy: 1e-9)
    }

    func testClassicallyCorrelatedStateHasNoDiscord() throws {
        // (|↑↑⟩⟨↑↑| + |↓↓⟩⟨↓↓|)/2: one bit of classical correlation.
        let rho = PairCorrelations.xState(sa: 0, sb: 0, dab: 1, cab: .zero)
        XCTAssertEqual(try PairCorrelations.mutualInformation(rho), 1, accuracy: 1e-12)
        XCTAssertEqual(try PairCorrelations.discord(rho), 0, accuracy: 1e-9)
    }

    func testProductStateHasNoCorrelations() throws {
        let rho = PairCorrelations.xState(sa: 0.3, sb: -0.2, dab: 0.3 * -0.2, cab: .zero)
        XCTAssertEqual(try PairCorrelations.mutualInformation(rho), 0, accuracy: 1e-12)
        XCTAssertEqual(try PairCorrelations.discord(rho), 0, accuracy: 1e-9)
    }

    func testWernerStateDiscordMatchesClosedForm() throws {
        // Werner state p|Ψ⁻⟩⟨Ψ⁻| + (1−p) I/4: D = ¼[(1−p)log(1−p) − 2(1+p)log(1+p) + (1+3p)log(1+3p)]
        // (Ollivier & Zurek 2001), log base 2.
        let p = 0.6
        let rho = PairCorrelations.xState(sa: 0, sb: 0, dab: -p, cab: Complex(-p / 2))
        let expected = 0.25 * ((1 - p) * log2(1 - p) - 2 * (1 + p) * log2(1 + p) + (1 + 3 * p) * log2(1 + 3 * p))
        XCTAssertEqual(try PairCorrelations.discord(rho), expected, accuracy: 1e-9)
    }

    func testQuantumFisherOfDickeAndCoherentStates() throws {
        // Two qubits: J_x = ½(σx⊗1 + 1⊗σx). For |↑↑⟩ (a J_z eigenstate), F(J_x) = 4 Var(J_x) = N = 2.
        var jx = ComplexMatrix(rows: 4, cols: 4)
        for i in 0..<4 { for bit in 0..<2 { jx[i ^ (1 << bit), i] = Complex(0.5) } }
        var up = [Complex<Double>](repeating: .zero, count: 4); up[0] = .one
        XCTAssertEqual(QuantumFisher.pure(up, generator: jx), 2, accuracy: 1e-14)
        var rho = ComplexMatrix(rows: 4, cols: 4); rho[0, 0] = .one
        XCTAssertEqual(try QuantumFisher.mixed(rho, generator: jx), 2, accuracy: 1e-12)
        // The maximally mixed state has no Fisher information.
        let mixed = ComplexMatrix(square: 4) { $0 == $1 ? Complex(0.25) : .zero }
        XCTAssertEqual(try QuantumFisher.mixed(mixed, generator: jx), 0, accuracy: 1e-14)
    }
}
