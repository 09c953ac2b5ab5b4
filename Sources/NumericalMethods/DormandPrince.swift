import Foundation

/// An explicit embedded Runge–Kutta pair of orders 5(4) (Dormand & Prince 1980, the coefficients of
/// Hairer, Nørsett & Wanner, *Solving ODEs I*, Table II.5.2), with per-step error control:
///
///     err = sqrt( mean_i ( (y5_i − y4_i) / (atol + rtol·max(|y_i|, |y_new,i|)) )² ) ≤ 1
///
/// and a PI step-size controller. The state is a flat `[Double]` (complex variables as pairs).
/// Deterministic: the same inputs give the same steps and the same bits.
public struct DormandPrince: Sendable {
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    /// Initial step (0: chosen from the derivative's size).
    public var initialStep: Double
    public var maxSteps: Int

    public init(
        relativeTolerance: Double = 1e-8, absoluteTolerance: Double = 1e-10, initialStep: Double = 0,
        maxSteps: Int = 10_000_000
    ) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.initialStep = initialStep
        self.maxSteps = maxSteps
    }

    public struct Failure: Error, CustomStringConvertible {
        public let time: Double
        public let reason: String
        public var description: String { "integrator stopped at t = \(time): \(reason)" }
    }

    /// dy/dt = rhs(t, y, &dydt).
    public typealias RightHandSide = (Double, [Double], inout [Double]) -> Void

    // Butcher tableau.
    private static let c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9
    private static let a21 = 1.0 / 5
    private static let a31 = 3.0 / 40, a32 = 9.0 / 40
    private static let a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9
    private static let a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729
    private static let a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
        a65 = -5103.0 / 18656
    private static let b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84
    // e = b(5th) − b(4th)
    private static let e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
        e6 = 22.0 / 525, e7 = -1.0 / 40

    /// Integrates from (t0, y0) to every time in `outputs` (ascending, ≥ t0), calling `observe(t, y)`
    /// at each; `shouldStop(t, y, dydt)` is asked after every accepted step and ends the integration
    /// early when it returns true. Returns the final time, state and number of accepted steps.
    @discardableResult
    public func integrate(
        from t0: Double, _ y0: [Double], to outputs: [Double],
        rhs: RightHandSide,
        observe: (Double, [Double]) -> Void = { _, _ in },
        shouldStop: (Double, [Double], [Double]) -> Bool = { _, _, _ in false }
    )
        throws -> (t: Double, y: [Double], steps: Int)
    {
        let n = y0.count
        var t = t0
        var y = y0
        var k1 = [Double](repeating: 0, count: n), k2 = k1, k3 = k1, k4 = k1, k5 = k1, k6 = k1, k7 = k1
        var tmp = k1, ynew = k1
        rhs(t, y, &k1)
        var h = initialStep > 0 ? initialStep : initialGuess(y: y, dy: k1)
        var previousError = 1e-4
        var steps = 0
        var outputIndex = 0
        while outputIndex < outputs.count && outputs[outputIndex] <= t0 {
            observe(t, y); outputIndex += 1
        }
        let tEnd = outputs.last ?? t0
        while t < tEnd {
            if steps >= maxSteps { throw Failure(time: t, reason: "more than \(maxSteps) steps") }
            let target = outputs[outputIndex]
            var hStep = min(h, target - t)
            let hitsTarget = hStep >= target - t
            if hStep < 1e-14 * max(1, abs(t)) { hStep = target - t }
            // Stages.
            for i in 0..<n { tmp[i] = y[i] + hStep * Self.a21 * k1[i] }
            rhs(t + Self.c2 * hStep, tmp, &k2)
            for i in 0..<n { tmp[i] = y[i] + hStep * (Self.a31 * k1[i] + Self.a32 * k2[i]) }
            rhs(t + Self.c3 * hStep, tmp, &k3)
            for i in 0..<n { tmp[i] = y[i] + hStep * (Self.a41 * k1[i] + Self.a42 * k2[i] + Self.a43 * k3[i]) }
            rhs(t + Self.c4 * hStep, tmp, &k4)
            for i in 0..<n {
                tmp[i] = y[i] + hStep * (Self.a51 * k1[i] + Self.a52 * k2[i] + Self.a53 * k3[i] + Self.a54 * k4[i])
            }
            rhs(t + Self.c5 * hStep, tmp, &k5)
            for i in 0..<n {
                tmp[i] =
                    y[i] + hStep
                    * (Self.a61 * k1[i] + Self.a62 * k2[i] + Self.a63 * k3[i] + Self.a64 * k4[i]
                        + Self.a65 * k5[i])
            }
            let tNew = hitsTarget ? target : t + hStep
            rhs(tNew, tmp, &k6)
            for i in 0..<n {
                ynew[i] =
                    y[i] + hStep
                    * (Self.b1 * k1[i] + Self.b3 * k3[i] + Self.b4 * k4[i] + Self.b5 * k5[i]
                        + Self.b6 * k6[i])
            }
            rhs(tNew, ynew, &k7)
            var errSum = 0.0
            for i in 0..<n {
                let e =
                    hStep
                    * (Self.e1 * k1[i] + Self.e3 * k3[i] + Self.e4 * k4[i] + Self.e5 * k5[i]
                        + Self.e6 * k6[i] + Self.e7 * k7[i])
                let sc = absoluteTolerance + relativeTolerance * max(abs(y[i]), abs(ynew[i]))
                errSum += (e / sc) * (e / sc)
            }
            let err = n > 0 ? (errSum / Double(n)).squareRoot() : 0
            guard err.isFinite else {
                h = hStep * 0.1
                if h < 1e-300 { throw Failure(time: t, reason: "the solution is not finite") }
                continue
            }
            if err <= 1 {
                steps += 1
                t = tNew
                swap(&y, &ynew)
                swap(&k1, &k7)   // first-same-as-last
                // PI controller (Hairer & Wanner: β = 0.04, exponent 0.2 − 0.75β).
                let factor = err == 0 ? 5 : min(5, max(0.2, 0.9 * pow(err, -0.17) * pow(previousError, 0.04)))
                previousError = max(err, 1e-4)
                if hitsTarget {
                    h = max(h, hStep * factor)   // don't let a short step to an output shrink h
                    observe(t, y)
                    outputIndex += 1
                } else {
                    h = hStep * factor
                }
                if shouldStop(t, y, k1) { return (t, y, steps) }
            } else {
                h = hStep * max(0.2, 0.9 * pow(err, -0.2))
            }
        }
        return (t, y, steps)
    }

    private func initialGuess(y: [Double], dy: [Double]) -> Double {
        var d0 = 0.0, d1 = 0.0
        for i in y.indices {
            let sc = absoluteTolerance + relativeTolerance * abs(y[i])
            d0 += (y[i] / sc) * (y[i] / sc)
            d1 += (dy[i] / sc) * (dy[i] / sc)
        }
        let n = Double(max(y.count, 1))
        d0 = (d0 / n).squareRoot(); d1 = (d1 / n).squareRoot()
        let h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        return min(max(h, 1e-8), 1)
    }
}
