import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// How a steady state was found.
public struct CumulantSteadyStateReport: Sendable {
    /// ‖dx/dt‖_∞ at the returned state (in Γ).
    public var residual: Double
    /// The residual divided by the rate scale Γ + W + max_a Σ_b |K_ab|.
    public var relativeResidual: Double
    /// Pseudo-transient steps over all attempts.
    public var outerIterations: Int
    public var krylovIterations: Int
    public var preconditioner: String
    /// The start that led to the returned state: "symmetric reduction", "product state" or
    /// "relaxation" (Dormand–Prince from the symmetric reduction's state, then continuation).
    public var start: String = ""
    /// Accepted Dormand–Prince steps of the relaxation fallback (0 when it was not needed).
    public var integratorSteps = 0
    /// max Re λ(M) of the regression matrix M = diag(iδ − Q/2) + ½ diag(s) K* at the returned state
    /// (in Γ); ≤ 0 for a stable steady state, see `CumulantSteadyStateSolver`.
    public var regressionMaxRate = 0.0
    /// Whether `regressionMaxRate` is the upper bound of `maxRegressionRate` (elastic couplings or
    /// detunings on a large lattice) rather than the eigenvalue itself.
    public var regressionRateIsBound = false
    /// Attempts that were discarded, with the reason.
    public var rejected: [String] = []
}

/// The cumulant backend's steady-state solver: the steady state of the cumulant equations by
/// pseudo-transient continuation (Ψtc; Kelley & Keyes, SIAM J. Numer. Anal. 35, 508 (1998)):
/// linearized implicit Euler steps
///
///     (I/Δt − J) δ = F(x),   x ← x + δ,   Δt ← Δt · ‖F_old‖/‖F_new‖   (switched evolution relaxation)
///
/// so that early steps follow the physical relaxation and late steps (Δt → ∞) are Newton steps with
/// quadratic convergence. A step that raises the residual more than `maxResidualGrowth`-fold is rejected
/// and retried with Δt/4. While the preconditioner's model of the state has correlations growing at
/// ρ > Q/4 (a start far from any steady state, such as the symmetric reduction's on a dipolar plane whose
/// light-cone modes outshine the uniform one), accepted steps are Δt = 1/(2ρ) (docs/physics.md §5.3.1).
///
/// Each linear system is solved by right-preconditioned restarted GMRES (`GMRES<RealKrylovArithmetic>`,
/// `.right`) with exact Jacobian-vector products (one O(N³) product each), to the inexact-Newton forcing
/// term of the point's `revision` (`forcing`). The preconditioner inverts
/// the dominant part of I/Δt − J: the C block V ↦ V/Δt − (M V + V M†) with M = diag(iδ − Q/2) + ½ diag(s) K* (the same matrix that
/// drives two-time correlations) through an eigen-decomposition of M, and the diagonal rates Q and 2Q
/// of the s and D blocks. Without detunings and elastic couplings M is replaced by
/// −Q/2 + ½ s̄ F (s̄ the mean inversion) so that one symmetric eigen-decomposition of F serves all steps;
/// with lattice couplings above 400 dipoles F is replaced by its diagonal in the lattice's cosine basis,
/// and the s, C and D blocks' collective modes are coupled as in a synchronized state (docs/physics.md
/// §5.3.1).
///
/// Which fixed point. Above the synchronization threshold the closed equations have, besides the
/// synchronized state, unstable fixed points near the uncorrelated state (large inversion, Z_Q² ≤ 0)
/// that Newton's method reaches easily from the uncorrelated start. They are recognized by the
/// regression matrix: with s and D frozen the C block obeys dC/dt = M C + C M† + …, whose rates are
/// λ_k + λ_l*, so a state with max Re λ(M) > 0 has growing correlations (and growing two-time
/// correlations G(τ)); the lasing-type saturation of a stable state pins max Re λ(M) at or below 0.
/// A converged state is accepted only if max Re λ(M) ≤ `stabilityTolerance` · (rate scale). Starts,
/// in order, until one is accepted:
///  1. the uniform state of the three-variable symmetric reduction (every s_a = s, C_ab = c, D_ab = d)
///     for the mean pair coupling f̄ = Σ_{a≠b} f_ab / (N(N−1)), relaxed from the ground state
///     (s, c, d) = (−1, 0, 1) with Dormand–Prince (exact for the uniform model, close for slowly
///     decaying couplings);
///  2. the uncorrelated state s_a = (W−Γ)/(W+Γ), C = 0, D_ab = s_a s_b;
///  3. relaxation: the full equations integrated by Dormand–Prince from start 1 until the relative
///     residual is below `relaxationResidual` (at most `relaxationTime` or `relaxationSteps`), then Ψtc.
/// If none is accepted, `BackendError.noConvergence` lists every attempt.
public struct CumulantSteadyStateSolver {
    public var tolerance: Double
    public var maxOuterIterations = 80
    public var restart: Int
    public var maxKrylovPerStep = 200
    /// A pseudo-transient step that multiplies the residual by more than this is rejected.
    public var maxResidualGrowth = 10.0
    /// Accept a state only if max Re λ(M) ≤ stabilityTolerance · (rate scale).
    public var stabilityTolerance = 1e-6
    /// Relaxation fallback: stop integrating once ‖F‖_∞/scale is below this …
    public var relaxationResidual = 1e-4
    /// … or at this time (1/Γ) or after this many accepted steps.
    public var relaxationTime = 200.0
    public var relaxationSteps = 4000
    /// The starts of the list above, tried in this order.
    public enum Start: String, Sendable, CaseIterable {
        case symmetricReduction = "symmetric reduction"
        case productState = "product state"
        case relaxation = "relaxation"
    }
    public var starts: [Start] = Start.allCases
    /// Whether the lattice preconditioner corrects the collective modes (`LyapunovPreconditioner`; off
    /// only in tests that measure what the correction saves).
    public var collectiveCorrection = true
    /// Whether pseudo-transient steps are Δt = 1/(2ρ) while the preconditioner's model has correlations
    /// growing at ρ > Q/4 (`continuation`; off only in tests that measure what it saves).
    public var growthLimitsStep = true
    /// Receives a line after every pseudo-transient step, accepted or rejected (`SolverProgress`).
    public var progress: SolverProgress?
    /// Which revision of the iteration computes the state (`Revision`; plan.json's `solverRevision`).
    public var revision = Revision.current

    /// The revisions of the iteration (docs/physics.md §5.3.1). They reach the same state to the
    /// tolerance, not bit for bit, so plan.json records the one a point used and `rerun` holds it;
    /// every revision once recorded stays here.
    public enum Revision: Int, Sendable, CaseIterable {
        /// Newton forcing η = min(0.05, ½ ‖F‖∞/scale): plans written before 2026-12-07, which record
        /// no `solverRevision`.
        case fixedForcing = 1
        /// Eisenstat–Walker forcing: η = 0.9 (‖F‖/‖F_prev‖)², safeguarded by 0.9 η_prev², at most 0.05
        /// and never tighter than revision 1's (`forcing`).
        case eisenstatWalker = 2

        public static let current = Revision.eisenstatWalker
    }

    public init(tolerance: Double, restart: Int = 20) {
        self.tolerance = tolerance
        self.restart = restart
    }

    /// Packed vectors GMRES(m) and Ψtc hold at once: the state and its residual, and GMRES's x, r (which
    /// also holds the preconditioned vector), w and m + 1 basis vectors; at least the Dormand–Prince
    /// fallback's 10.
    public static func packedVectors(restart m: Int) -> Int { max(m + 6, 10) }

    /// Q_C + max_a Σ_b |K_ab| (Q_C = Γ + W without decoherence, docs/physics.md §5.7): the fastest rate
    /// of the equations.
    static func rateScale(_ system: CumulantSystem) -> Double {
        let n = system.n
        var scale = system.qc
        // Column a of the symmetric f and g holds row a: the same sums in the same order.
        system.forEachColumn { _, f, g in
            var row = 0.0
            for b in 0..<n {
                row += abs(f[b])
                if system.elastic { row += abs(g[b]) }
            }
            scale = max(scale, system.qc + row)
        }
        return scale
    }

    public func solve(_ system: CumulantSystem) throws -> (state: [Double], report: CumulantSteadyStateReport) {
        let n = system.n
        let scale = Self.rateScale(system)
        var report = CumulantSteadyStateReport(
            residual: .infinity, relativeResidual: .infinity, outerIterations: 0,
            krylovIterations: 0, preconditioner: "")
        var precond = try LyapunovPreconditioner(system: system)
        precond.collectiveCorrection = collectiveCorrection
        report.preconditioner = precond.kind

        // `continuation` takes the start over (x0 is left empty): a start kept here would be one more
        // packed vector for the whole solve (1.2 GB at N = 10⁴).
        func attempt(_ name: String, _ x0: inout [Double]) throws -> [Double]? {
            do {
                let x = try continuation(system, from: &x0, scale: scale, precond: &precond, report: &report)
                let (rate, isBound) = try Self.maxRegressionRate(system: system, s: system.inversions(x), acceptBelow: stabilityTolerance * scale)
                if rate > stabilityTolerance * scale {
                    report.rejected.append("\(name): converged to an unstable fixed point (max Re λ(M) = \(rate) Γ, Z_Q² = \(system.meanReC(x)))")
                    return nil
                }
                report.start = name
                report.regressionMaxRate = rate
                report.regressionRateIsBound = isBound
                return x
            } catch BackendError.noConvergence(let why) {
                report.rejected.append("\(name): \(why)")
                return nil
            }
        }

        for start in starts {
            var x0: [Double]
            switch start {
            case .symmetricReduction: x0 = Self.symmetricGuess(system)
            case .productState: x0 = system.productState([Double](repeating: system.p / system.q, count: n))
            case .relaxation: x0 = try relax(system, from: Self.symmetricGuess(system), scale: scale, report: &report)
            }
            if let x = try attempt(start.rawValue, &x0) { return (x, report) }
        }
        throw BackendError.noConvergence("cumulant steady state: no stable fixed point found; " + report.rejected.joined(separator: "; "))
    }

    /// Integrates the full equations from `x0` (Dormand–Prince, rtol 1e-6) until ‖F‖_∞ ≤ relaxationResidual·scale.
    func relax(
        _ system: CumulantSystem, from x0: [Double], scale: Double,
        report: inout CumulantSteadyStateReport
    ) throws -> [Double] {
        let integrator = DormandPrince(relativeTolerance: 1e-6, absoluteTolerance: 1e-8, maxSteps: relaxationSteps)
        let target = relaxationResidual * scale
        var steps = 0
        do {
            let run = try integrator.integrate(
                from: 0, x0, to: [relaxationTime],
                rhs: { _, y, dy in system.rhs(y, into: &dy) },
                shouldStop: { _, _, dy in
                    steps += 1; return maxAbs(dy) <= target
                })
            report.integratorSteps += run.steps
            return run.y
        } catch let failure as DormandPrince.Failure {
            report.integratorSteps += steps
            throw BackendError.noConvergence(
                "cumulant steady state: relaxation fallback failed (\(failure)); " + report.rejected.joined(separator: "; "))
        }
    }

    /// Ψtc from `x0` (taken over: left empty) to the residual target; throws `noConvergence`.
    func continuation(
        _ system: CumulantSystem, from x0: inout [Double], scale: Double,
        precond: inout LyapunovPreconditioner, report: inout CumulantSteadyStateReport
    ) throws -> [Double] {
        let q = system.q
        let target = max(tolerance, 1e-13) * scale
        var x: [Double] = []
        swap(&x, &x0)
        var f = largeArray(repeating: 0.0, count: system.packedCount, threads: system.threads)
        system.rhs(x, into: &f)
        var res = maxAbs(f)
        var dt = 1 / q
        var outer = 0
        // The residual before the last accepted step and the last step's forcing term (`forcing`).
        var previousResidual: Double? = nil, previousEta = 0.05
        var scratch = system.productScratch()
        let workspace = GMRESWorkspace<Double>(threads: system.threads)   // GMRES's r, w and basis, lent from step to step
        defer {
            report.outerIterations += outer
            report.residual = res
            report.relativeResidual = res / scale
        }
        while res > target {
            outer += 1
            if outer > maxOuterIterations || !res.isFinite {
                throw BackendError.noConvergence(
                    "residual \(res) after \(outer - 1) pseudo-transient steps (target \(target))")
            }
            try precond.update(system: system, s: system.inversions(x), meanC: system.meanReC(x))
            // Far from a steady state some correlations may grow (ρ > Q/4 in the preconditioner's model):
            // implicit Euler multiplies a mode growing at ρ by 1/(1 − ρΔt), so a step beyond Δt = 1/(2ρ)
            // is no relaxation step, and the preconditioner's divisors σ − λ_k − λ_l pass through zero.
            // (Near a steady state the model's rates are at or just above 0 — the synchronized mode of a
            // lattice, slightly off in the mean-inversion model — and Δt must be free to grow.)
            let growth = precond.growthRate
            let growthStep = growthLimitsStep && growth > q / 4 ? 0.5 / growth : nil
            if let growthStep, dt > growthStep { dt = growthStep }
            let sigma = dt > 1e14 ? 0 : 1 / dt
            let eta = forcing(residual: res, previous: previousResidual, previousEta: previousEta, scale: scale, target: target)
            previousEta = eta
            let krylov = GMRES<RealKrylovArithmetic>(
                restart: restart, maxIterations: maxKrylovPerStep,
                tolerance: .relative(min(eta, 0.05)), preconditioning: .right)
            var step: GMRES<RealKrylovArithmetic>.Outcome
            do {
                let state = x   // ends here, so that x is the only reference to the state below
                step = krylov.solve(
                    a: { v, out in
                        system.jacobianTimes(state, v, scratch: &scratch, into: &out)
                        for i in out.indices { out[i] = sigma * v[i] - out[i] }
                    },
                    preconditioner: { v, out in precond.apply(v, sigma: sigma, into: &out) },
                    b: f, workspace: workspace)
            }
            report.krylovIterations += step.iterations
            // x + δ in δ's own storage, and F(x + δ) in f's: the state, its residual and the step are
            // the only packed vectors held outside GMRES; the one not kept is lent to the next solve.
            var xNew: [Double] = []
            swap(&xNew, &step.x)
            for i in x.indices { xNew[i] = x[i] + xNew[i] }
            system.rhs(xNew, into: &f)
            let resNew = maxAbs(f)
            if !resNew.isFinite || resNew > maxResidualGrowth * res {
                progress?.note(
                    String(
                        format: "cumulant steady state: step %d rejected (residual %.2e Γ from %.2e Γ), Δt = %.3g/Γ → %.3g/Γ", outer, resNew, res, dt,
                        dt / 4))
                dt /= 4
                system.rhs(x, into: &f)   // restores the residual and the cached product of x
                workspace.giveBack(&xNew)
                continue
            }
            progress?.note(
                String(
                    format: "cumulant steady state: step %d (Δt = %.3g/Γ), residual %.2e Γ (target %.2e Γ), %d Krylov iterations", outer, dt,
                    resNew, target, report.krylovIterations))
            dt *= min(max(res / max(resNew, 1e-300), 0.5), 1e4)
            // While correlations grow the residual rises with them: that is the relaxation, not a failing
            // step, so Δt is not shrunk below the growth's step (rejections still divide it).
            if let growthStep { dt = max(dt, growthStep) }
            swap(&x, &xNew)
            workspace.giveBack(&xNew)
            previousResidual = res
            res = resNew
        }
        return x
    }

    /// The inexact Newton forcing term η of a step from residual `residual` (‖F‖∞; `previous` before the
    /// last accepted step, nil at the first): GMRES stops at ‖r‖ ≤ η ‖F‖. Revision 1: η = min(0.05,
    /// ½ ‖F‖/scale), tightening with the residual. Revision 2 (Eisenstat and Walker's choice 2, γ = 0.9,
    /// α = 2): η = 0.9 (‖F‖/‖F_prev‖)², at least 0.9 η_prev² when that exceeds 0.1 (so that one lucky step
    /// does not make the next solve needlessly tight), at most 0.05, and never tighter than revision 1's:
    /// early linear solves are loose where the residual falls slowly and tight only where it falls
    /// quadratically. Both are at least 0.1 target/‖F‖: no solve is tighter than the target needs.
    func forcing(residual res: Double, previous: Double?, previousEta: Double, scale: Double, target: Double) -> Double {
        let fixed = min(0.05, 0.5 * res / scale)
        var eta = fixed
        if revision == .eisenstatWalker, let previous, previous > 0 {
            var ew = 0.9 * (res / previous) * (res / previous)
            let safeguard = 0.9 * previousEta * previousEta
            if safeguard > 0.1 { ew = max(ew, safeguard) }
            eta = max(fixed, min(0.05, ew))
        }
        return max(eta, 0.1 * target / max(res, 1e-300))
    }

    /// The packed uniform state (s, c, d) of the three-variable symmetric reduction with the mean pair
    /// coupling f̄ (g and δ ignored): with Q = Γ + γ_nr + W, P = W − Γ − γ_nr, Q_C = Q + 2γ_φ
    /// (docs/physics.md §5.7),
    ///
    ///     ds/dt = P − Q s − 2(N−1) f̄ c
    ///     dc/dt = −Q_C c + (f̄/2)(s + d) + s (N−2) f̄ c
    ///     dd/dt = 2P s − 2Q d + 4 f̄ c − 4 s (N−2) f̄ c
    ///
    /// relaxed from the ground state (−1, 0, 1) to t = 10⁴/Γ (early stop at ‖d/dt‖ ≤ 10⁻¹³·scale; where the
    /// step budget runs out first, to 10⁻⁶·scale and then Newton's method, `ReducedEquations.newtonPolish`).
    static func symmetricGuess(_ system: CumulantSystem) -> [Double] {
        let (s, c, d) = symmetricReduction(system)
        var v = largeArray(repeating: 0.0, count: system.packedCount, threads: system.threads)
        for a in 0..<system.layout.sCount { v[a] = s }
        var k = system.layout.sCount
        for _ in 0..<system.layout.pairCount { v[k] = c; v[k + 2] = d; k += 3 }
        return v
    }

    static func symmetricReduction(_ system: CumulantSystem) -> (s: Double, c: Double, d: Double) {
        let n = system.n
        let q = system.q, p = system.p, qc = system.qc
        guard n >= 2 else { return (p / q, 0, 0) }
        var total = 0.0
        system.forEachColumn { _, f, _ in for a in 0..<n { total += f[a] } }
        let f = total / Double(n * (n - 1))
        let nn = Double(n)
        let equations = ReducedEquations(n: nn, f: f, p: p, q: q, qc: qc)
        let rhs: DormandPrince.RightHandSide = { _, x, dx in dx = equations.residual(x) }
        let scale = qc + abs(f) * nn
        let integrator = DormandPrince(relativeTolerance: 1e-11, absoluteTolerance: 1e-13, maxSteps: 2_000_000)
        func relaxed(stop: Double) -> [Double]? {
            guard
                let run = try? integrator.integrate(
                    from: 0, [-1, 0, 1], to: [1e4], rhs: rhs,
                    shouldStop: { _, _, dx in max(abs(dx[0]), abs(dx[1]), abs(dx[2])) <= stop }),
                run.y.allSatisfy(\.isFinite)
            else { return nil }
            return run.y
        }
        if let y = relaxed(stop: 1e-13 * scale) { return (y[0], y[1], y[2]) }
        // Large N f̄ (the N = 1000, f_eff = 900 Γ point of figS2): the explicit steps are held to
        // ~1/(N f̄) and the 10⁻¹³ stop is not met within the step budget. Relax to a 10⁻⁶ stop instead
        // and finish with Newton's method on the three equations, which converges from there to the
        // same stable fixed point.
        if let y = relaxed(stop: 1e-6 * scale), let x = equations.newtonPolish(y, tolerance: 1e-12 * scale) {
            return (x[0], x[1], x[2])
        }
        return (p / q, 0, (p / q) * (p / q))
    }

    /// The symmetric reduction's three equations (`symmetricReduction`) for N dipoles with mean pair
    /// coupling f̄ = `f`, and Newton's method on them.
    struct ReducedEquations {
        var n: Double, f: Double, p: Double, q: Double, qc: Double

        /// (ds/dt, dc/dt, dd/dt) at x = (s, c, d).
        func residual(_ x: [Double]) -> [Double] {
            let (s, c, d) = (x[0], x[1], x[2])
            return [
                p - q * s - 2 * (n - 1) * f * c,
                -qc * c + f / 2 * (s + d) + s * (n - 2) * f * c,
                2 * p * s - 2 * q * d + 4 * f * c - 4 * s * (n - 2) * f * c
            ]
        }

        /// Newton's method from `x0`; nil unless the residual ends below `tolerance` within 50 steps.
        func newtonPolish(_ x0: [Double], tolerance: Double) -> [Double]? {
            var x = x0
            for _ in 0..<50 {
                let r = residual(x)
                if r.allSatisfy({ abs($0) <= tolerance }) { return x }
                let (s, c) = (x[0], x[1])
                let rows: [[Double]] = [
                    [-q, -2 * (n - 1) * f, 0],
                    [f / 2 + (n - 2) * f * c, -qc + s * (n - 2) * f, f / 2],
                    [2 * p - 4 * (n - 2) * f * c, 4 * f - 4 * s * (n - 2) * f, -2 * q]
                ]
                var j = Matrix(rows: 3, cols: 3)
                for a in 0..<3 { for b in 0..<3 { j[a, b] = rows[a][b] } }
                guard let delta = try? LinearAlgebra.solve(j, r.map { -$0 }) else { return nil }
                for i in 0..<3 { x[i] += delta[i] }
                guard x.allSatisfy(\.isFinite) else { return nil }
            }
            return residual(x).allSatisfy({ abs($0) <= tolerance }) ? x : nil
        }
    }

    /// max Re λ of M = diag(iδ − Q_C/2) + ½ diag(s) K* (in Γ; Q_C = Q + 2γ_φ, docs/physics.md §5.7), or an
    /// upper bound on it (`isBound`). Equal detunings, g = 0, s of one sign: the symmetric form
    /// −Q_C/2 + ½ sign(s) |S|^{1/2} F |S|^{1/2} (same real parts); otherwise LAPACK dgeev on M or on the
    /// real 2N×2N form [[Re M, −Im M], [Im M, Re M]] (spectrum λ ∪ λ*).
    ///
    /// Lattice couplings above the low-rank threshold build no N×N array (§5.3.1). With g ≠ 0 or unequal
    /// detunings and s of one sign, M is similar to diag(iδ − Q_C/2) + ½ sign(s) R(F − iG)R (R = |S|^{1/2}),
    /// whose Hermitian part is −Q_C/2 + ½ sign(s) RFR (iδ and −iRGR are anti-Hermitian): every Re λ lies
    /// below the symmetric form's value, which is returned as a bound when it is at most `acceptBelow`
    /// (the stability test then holds; coherent couplings and detunings only add stability). Otherwise,
    /// and for s of both signs, the Krylov–Schur iteration on the FFT product (`arnoldiRightmost`).
    static func maxRegressionRate(
        system: CumulantSystem, s: [Double], acceptBelow: Double = -.infinity, arnoldiProducts: Int = arnoldiMaxProducts
    ) throws -> (rate: Double, isBound: Bool) {
        let n = system.n
        let q = system.qc
        guard n >= 2 else { return (-q / 2, false) }
        let sign: Double? = s.allSatisfy { $0 >= 0 } ? 1 : (s.allSatisfy { $0 <= 0 } ? -1 : nil)
        let exact = system.equalDetunings && !system.elastic
        if system.representation == .lattice && n > system.lowRankThreshold {
            if let sign {
                if s.allSatisfy({ $0 == 0 }) { return (-q / 2, false) }
                let r = s.map { abs($0).squareRoot() }
                let symmetric = -q / 2 + 0.5 * sign * (try lanczosExtreme(system: system, r: r, sign: sign))
                if exact { return (symmetric, false) }
                if symmetric <= acceptBelow { return (symmetric, true) }
            }
            do {
                return (try arnoldiRightmost(system: system, s: s, products: arnoldiProducts), false)
            } catch BackendError.numerical where n <= arnoldiFallbackMaxDipoles {
                // Unconverged (a cluster at the spectrum's right end): LAPACK, which N still allows.
                return (try denseMaxRegressionRate(system: system, s: s), false)
            }
        }
        return (try denseMaxRegressionRate(system: system, s: s), false)
    }

    /// max Re λ(M) from LAPACK on the dense matrices (`maxRegressionRate`'s small-N path).
    static func denseMaxRegressionRate(system: CumulantSystem, s: [Double]) throws -> Double {
        let n = system.n
        let q = system.qc
        if system.equalDetunings && !system.elastic {
            if s.allSatisfy({ $0 == 0 }) { return -q / 2 }
            let sign: Double? = s.allSatisfy { $0 >= 0 } ? 1 : (s.allSatisfy { $0 <= 0 } ? -1 : nil)
            if let sign {
                let r = s.map { abs($0).squareRoot() }
                var m = system.denseF()
                for b in 0..<n { for a in 0..<n { m[a, b] = r[a] * m[a, b] * r[b] } }
                let mu = try singleThreaded { try symmetricEigenvalues(m) }
                let top = sign > 0 ? (mu.last ?? 0) : -(mu.first ?? 0)
                return -q / 2 + 0.5 * top
            }
            var m = system.denseF()
            for b in 0..<n { for a in 0..<n { m[a, b] = 0.5 * s[a] * m[a, b] } }
            let lambda = try singleThreaded { try eigenvalues(m) }
            return -q / 2 + (lambda.map(\.real).max() ?? 0)
        }
        let mc = LyapunovPreconditioner.regressionMatrix(system: system, s: s)
        var m = Matrix(rows: 2 * n, cols: 2 * n)
        for b in 0..<n {
            for a in 0..<n {
                let z = mc[a, b]
                m[a, b] = z.real; m[a + n, b + n] = z.real
                m[a, b + n] = -z.imaginary; m[a + n, b] = z.imaginary
            }
        }
        let lambda = try singleThreaded { try eigenvalues(m) }
        return lambda.map(\.real).max() ?? 0
    }

    /// max Re λ(M) for M = diag(iδ − Q_C/2) + ½ diag(s) K* by the Krylov–Schur iteration on the lattice's
    /// FFT product, without any N×N array (docs/physics.md §5.3.1): elastic couplings, unequal detunings or
    /// an inversion of both signs, where M is not similar to a symmetric matrix. The Ritz value must
    /// converge to 10⁻⁹ of the spectrum's scale (far inside the test's `stabilityTolerance`), or this
    /// throws (`maxRegressionRate` then falls back to LAPACK up to `arnoldiFallbackMaxDipoles`, and
    /// beyond it the solve fails with that said).
    static func arnoldiRightmost(system: CumulantSystem, s: [Double], products: Int = arnoldiMaxProducts) throws -> Double {
        let n = system.n
        let diagonal = (0..<n).map { Complex(-system.qc / 2, system.detunings[$0]) }
        let start = lanczosStartVector(n).map { Complex($0) }
        let run = try arnoldiRightmostEigenvalue(
            n: n, start: start, basisSize: arnoldiBasis, maxProducts: products, tolerance: 1e-9
        ) { v in
            var y = system.applyKStar(v)
            for i in 0..<n { y[i] = diagonal[i] * v[i] + Complex(0.5 * s[i]) * y[i] }
            return y
        }
        guard run.converged else {
            throw BackendError.numerical(
                "the stability test's Arnoldi iteration did not converge in \(run.products) products (residual \(run.residual) of the rightmost Ritz value \(run.value))"
            )
        }
        return run.value.real
    }

    /// Up to this N an unconverged Krylov–Schur iteration falls back to LAPACK on the dense 2N × 2N form
    /// (minutes at the limit).
    static let arnoldiFallbackMaxDipoles = 2000

    /// The stability test's Krylov–Schur basis (memory 16 N bytes a vector) and its limit on products.
    static let arnoldiBasis = 200
    static let arnoldiMaxProducts = 4000

    /// The extreme eigenvalue of |S|^{1/2} F |S|^{1/2} on the side `sign` (the largest for sign > 0, minus
    /// the smallest for sign < 0) by the Lanczos iteration on the lattice's FFT product, without any N×N
    /// array (docs/physics.md §5.3): a Ritz value converged to 10⁻¹⁰ of the spectrum's scale.
    static func lanczosExtreme(system: CumulantSystem, r: [Double], sign: Double) throws -> Double {
        let n = system.n
        let run = try lanczosExtremeEigenpairs(
            n: n, start: lanczosStartVector(n), steps: min(n, 600), lowest: sign < 0 ? 1 : 0, highest: sign > 0 ? 1 : 0,
            tolerance: 1e-10
        ) { v in
            var w = v
            for i in 0..<n { w[i] *= r[i] }
            var y = system.applyF(w)
            for i in 0..<n { y[i] *= r[i] }
            return y
        }
        return sign > 0 ? run.values[0] : -run.values[0]
    }
}

@inline(__always) func maxAbs(_ v: [Double]) -> Double {
    var m = 0.0
    for x in v { let a = abs(x); if a > m || a.isNaN { m = a } }
    return m
}
