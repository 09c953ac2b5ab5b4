// swift-tools-version:6.0
import PackageDescription

// The pipeline, one module a stage:
//   SpecLanguage (YAML → typed spec, diagnostics, units, catalog, schema: every default of the language)
//   → Planning (plan graph, backend choice: it asks each backend's description, holds no list of its own)
//   → Physics (geometry, couplings, the model and the request a backend solves, the typed backend and
//     method choices, `PlannerThresholds`; the observables' definitions)
//   → Results (what a backend returns and how it is written: values, tables, JSON, the one observable
//     writer; the backend protocols `Backend`, `DescribedBackend`, `TrajectorySplittingBackend`; errors)
//   → MeanFieldBackend | CumulantBackend | DickeBackend | ExactBackend (each with its *Description.swift)
//   → StandardBackends (the one list of this build's backends, `BackendRegistry.standard`)
//   → Execution (executor, result bundles, tables, pictures, rerun; no concrete backend type)
//   → dipolesync (the command line).
// CYAML, CLAPACK and CFFTW are the thin C shims, CSpinKernels two loops of the exact backend in C (so that they
// can be compiled for AVX2 beside the baseline and picked by the CPU); LinearAlgebra is the Swift layer over BLAS/LAPACKE and
// FFTW (the circulant products of translation-invariant couplings);
// NumericalMethods holds the methods that are not physics (GMRES, the Dormand–Prince integrator, the
// damped-cosine fit, the seeded random streams, the single-precision product) for the stages above.
// docs/architecture.md lists the files that adding a spec field or a backend touches.
let package = Package(
    name: "dipolesync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dipolesync", targets: ["dipolesync"]),
        .executable(name: "dipolesync-bench", targets: ["dipolesync-bench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0")
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CLAPACK", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),
        .target(
            name: "LinearAlgebra",
            dependencies: [
                "CLAPACK", "CFFTW", .product(name: "Numerics", package: "swift-numerics")
            ]),
        .target(
            name: "NumericalMethods",
            dependencies: [
                "LinearAlgebra", "CLAPACK", .product(name: "Numerics", package: "swift-numerics")
            ]),
        .target(name: "SpecLanguage", dependencies: ["CYAML", "Physics", "Results", "NumericalMethods"]),
        .target(name: "Physics", dependencies: ["LinearAlgebra"]),
        .target(name: "Results", dependencies: ["Physics", "NumericalMethods"]),
        .target(name: "MeanFieldBackend", dependencies: ["Physics", "Results", "LinearAlgebra", "NumericalMethods"]),
        .target(name: "CumulantBackend", dependencies: ["Physics", "Results", "LinearAlgebra", "NumericalMethods"]),
        .target(name: "DickeBackend", dependencies: ["Physics", "Results", "LinearAlgebra", "NumericalMethods"]),
        // The state-vector kernels of the exact backend's trajectories, compiled for AVX2 and the baseline.
        .target(name: "CSpinKernels"),
        .target(name: "ExactBackend", dependencies: ["Physics", "Results", "LinearAlgebra", "NumericalMethods", "CSpinKernels"]),
        // The one list of the backends of this build.
        .target(
            name: "StandardBackends",
            dependencies: [
                "Physics", "Results", "MeanFieldBackend", "CumulantBackend", "DickeBackend", "ExactBackend"
            ]),
        // The planner asks each backend of StandardBackends for its description.
        .target(name: "Planning", dependencies: ["SpecLanguage", "Physics", "Results", "StandardBackends"]),
        // The source revision is fixed at build time (Plugins/BuildProvenance, scripts/provenance).
        .plugin(name: "BuildProvenance", capability: .buildTool()),
        .target(
            name: "Execution",
            dependencies: [
                "SpecLanguage", "Planning", "Physics", "Results", "LinearAlgebra", "StandardBackends"
            ], plugins: ["BuildProvenance"]),
        .executableTarget(
            name: "dipolesync",
            dependencies: [
                "SpecLanguage", "Planning", "Execution", "Results", "LinearAlgebra", "StandardBackends",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]),
        // Benchmarks driven by the scripts in benchmarks/ (release builds only).
        .executableTarget(
            name: "dipolesync-bench",
            dependencies: [
                "Physics", "Results", "LinearAlgebra", "MeanFieldBackend", "CumulantBackend", "DickeBackend", "ExactBackend"
            ]),
        // libFuzzer target over the front end (scripts/fuzz builds it with -sanitize=fuzzer).
        .executableTarget(name: "dipolesync-fuzz", dependencies: ["SpecLanguage", "Planning", "Physics", "Results"]),
        // What several test targets share (Tests/TestSupport): the dense master-equation reference, the
        // one subprocess runner (both output streams drained, with a timeout), the repository root.
        .target(name: "TestSupport", dependencies: ["Physics", "Results", "LinearAlgebra", "NumericalMethods"], path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "NumericalMethodsTests", dependencies: ["NumericalMethods", "LinearAlgebra"]),
        .testTarget(name: "SpecLanguageTests", dependencies: ["SpecLanguage", "Results"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "Results", "LinearAlgebra", "NumericalMethods", "TestSupport"]),
        .testTarget(
            name: "PlanningTests",
            dependencies: [
                "Planning", "SpecLanguage", "Results", "NumericalMethods", "TestSupport",
                "DickeBackend", "ExactBackend"
            ]),
        .testTarget(name: "MeanFieldBackendTests", dependencies: ["MeanFieldBackend", "Physics", "Results", "NumericalMethods", "TestSupport"]),
        .testTarget(
            name: "CumulantBackendTests", dependencies: ["CumulantBackend", "Physics", "Results", "NumericalMethods", "DickeBackend", "TestSupport"],
            exclude: ["qutip_steady.py"]),
        .testTarget(name: "DickeBackendTests", dependencies: ["DickeBackend", "Physics", "Results", "NumericalMethods", "TestSupport"]),
        .testTarget(
            name: "ExactBackendTests",
            dependencies: ["ExactBackend", "CSpinKernels", "Physics", "Results", "NumericalMethods", "DickeBackend", "TestSupport"]),
        .testTarget(
            name: "ExecutionTests",
            dependencies: ["Execution", "SpecLanguage", "Planning", "Results", "NumericalMethods", "TestSupport", "StandardBackends"])
    ],
    swiftLanguageModes: [.v6]
)
