import Testing

extension Tag {
    /// Tests that take more than a few seconds in a release build (whole-bundle reruns, subprocess runs
    /// of the command line, cross-checks against QuTiP). `swift test --skip-tags slow` is not a Swift
    /// option; filter them out with `swift test --filter` on the suites you work on, or list them with
    /// `grep -rn '.slow' Tests`.
    @Tag public static var slow: Self
}
