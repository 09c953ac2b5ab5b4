#!/usr/bin/env bash
# Cumulant backend: steady state for the papers' Fig. 4a geometries (power law f = (Γ/4)(a/r)^α, g = δ = 0).
# Couplings as the planner chooses them (`auto`): dense matrices up to 400 dipoles, the lattice
# representation above (K*C by FFTs, the cosine-basis preconditioner: docs/physics.md §5.3).
# Targets (release build, 2 cores): N = 900 under 10 s; a synchronized 4 000-dipole chain under 30 s
# (lattice couplings, 4 GiB); with --large a 10⁴-dipole chain and a 100 × 100 square lattice each under
# 30 minutes within 16 GiB (peak RSS from /usr/bin/time), and an elastic dipolar chain of 10⁴.
# Measured 2026-12-04 (2 cores, idle): N = 4000 in 25.7–26.3 s wall (43 CPU s), 2.3 GiB, 15 Krylov iterations;
# --large: chain (one thread) 5 min 48 s, peak 13.8 GiB with GMRES(4) (the restart the 16 GiB budget
# allows); 100 × 100 square (2 threads) 9 min 41 s, peak 14.9 GiB (README, docs/physics.md §5.3.1).
# Elastic dipolar chain, N = 2 500, a = 0.2 λ (2026-12-06, 2 threads): 17 s wall, 1.0 GiB, 7 steps and
# 25 Krylov iterations; the stability test on its Lanczos bound (docs/physics.md §5.3.1). --large also
# runs it at N = 10⁴ (16 GiB): 305 s wall (508 CPU s), peak 15.7 GiB (16 441 340 KiB), 7 steps and 25
# Krylov iterations, Z_Q = 0.0036245; `plan` says ~13 min and 15.7 GiB.
# 2026-12-06, reflection-symmetric layout (docs/physics.md §5.3.2; CUMULANT_REFLECTION=0 for the full
# one), --large on 2 threads: chain 202 s, peak 7.3 GiB; square 294 s, 9.5 GiB; elastic chain 252 s, 8.6 GiB.
# Elastic dipolar squares at a = 0.2 λ (2026-12-07, 2 threads; steps that follow the bright light-cone
# modes' growth, docs/physics.md §5.3.1): 50 × 50 65 s, 1.15 GiB, 8 steps and 105 Krylov iterations;
# --large runs 100 × 100 (16 GiB): 31 min wall, peak 15.9 GiB, 10 steps and 183 Krylov iterations.
# 2026-12-07, solver revision 2 (Eisenstat–Walker forcing, docs/physics.md §5.3.1; CUMULANT_REVISION=1 for
# the former): N = 900 chain / square / chain α = 0.5 1.1 / 2.1 / 1.1 s (14 / 26 / 16 Krylov iterations;
# revision 1 the same day 15 / 36 / 20); N = 4000 24.1 s (28.2 s); elastic chain 2 500 12.0 s; elastic
# square 50 × 50 53.7 s, 81 iterations; --large: chain 127 s, square 211 s (25 iterations), elastic chain
# 244 s, elastic square 100 × 100 23 min 19 s, peak 16 644 712 KiB, 13 steps and 147 Krylov iterations.
# Usage: benchmarks/cumulant.sh [--quick | --large | --dynamics]   (--quick skips N = 4000; --large runs only
# N = 10⁴; --dynamics runs only the time evolution below)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync-bench >/dev/null
BIN=.build/release/dipolesync-bench
THREADS=${THREADS:-2}
run() {
    echo "== $*"
    /usr/bin/time -f "wall-seconds: %e  cpu-seconds: %U  max-rss: %M KiB" "$BIN" cumulant "$@" 2>&1 \
        | grep -E "case|seconds|peak-memory|pseudo|krylov|relative-residual|ZQ:|inversion:|max-rss|cluster"
}
# --dynamics: the whole pipeline (`dipolesync run`) on benchmarks/specs/cumulant-dynamics-chain-4000.yaml,
# time evolution in the reflection-symmetric layout, beside `plan`'s estimate. 2026-12-07 (2 threads):
# 204 s wall, peak 1 191 664 KiB, 164 Dormand–Prince steps (`plan`: ~3 min, 1.3 GiB); in the full layout
# of the build before: 396 s, 2 347 468 KiB (docs/physics.md §5.3.2).
if [[ "${1:-}" == "--dynamics" ]]; then
    swift build -c release --product dipolesync >/dev/null
    spec=benchmarks/specs/cumulant-dynamics-chain-4000.yaml
    .build/release/dipolesync plan "$spec" | grep -E "^\s+memory ≈"
    out=$(mktemp -d)
    /usr/bin/time -f "wall-seconds: %e  cpu-seconds: %U  max-rss: %M KiB" .build/release/dipolesync run "$spec" --out "$out/bundle" --quiet
    grep -oE '"(integrator-steps|ZQ|inversion)": ?[0-9.e+-]*' "$out/bundle/results.json" | tr '\n' ' '
    echo
    rm -rf "$out"
    exit 0
fi
if [[ "${1:-}" == "--large" ]]; then
    run chain 10000 1.5 4 "$THREADS" auto 16
    run square 10000 1.5 4 "$THREADS" auto 16
    run dipolar-chain 10000 0.2 3 "$THREADS" auto 16
    run dipolar-square 10000 0.2 3 "$THREADS" auto 16
    exit 0
fi
run chain 900 1.5 4 "$THREADS"
run square 900 1.5 4 "$THREADS"
run chain 900 0.5 6 "$THREADS" || echo "FAILED: chain 900 alpha 0.5"
# Elastic couplings: dipolar chain at the magic angle, a = 0.2 λ, W = 3 Γ (g and f both in the cosine basis).
run dipolar-chain 2500 0.2 3 "$THREADS" || echo "FAILED: dipolar chain 2500"
# Detuning disorder (uniform, full width 4 Γ): the cosine preconditioner with the detuning differences
# divided out pair by pair (docs/physics.md §5.3.1), no O(N³) eigen-decomposition.
CUMULANT_DISORDER=4 run chain 2500 1.5 4 "$THREADS" || echo "FAILED: disordered chain 2500"
if [[ "${1:-}" != "--quick" ]]; then
    run chain 4000 1.5 4 "$THREADS"
    # The elastic dipolar plane, whose light-cone modes outshine the uniform one.
    run dipolar-square 2500 0.2 3 "$THREADS" || echo "FAILED: dipolar square 2500"
fi
