#!/usr/bin/env bash
# Cumulant backend: steady state for the papers' Fig. 4a geometries (power law f = (Γ/4)(a/r)^α, g = δ = 0).
# Targets (release build): N = 900 under 10 s; N = 4000 under 10 minutes within 4 GiB.
# Usage: benchmarks/cumulant.sh [--quick]   (--quick skips N = 4000)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync-bench >/dev/null
BIN=.build/release/dipolesync-bench
THREADS=${THREADS:-2}
run() {
    echo "== $*"
    /usr/bin/time -f "wall-seconds: %e  max-rss-MiB: %M KiB" "$BIN" cumulant "$@" 2>&1 \
        | grep -E "case|seconds|peak-memory|pseudo|krylov|relative-residual|ZQ:|inversion:|max-rss|cluster"
}
run chain 900 1.5 4 "$THREADS"
run square 900 1.5 4 "$THREADS"
run chain 900 0.5 6 "$THREADS" || echo "FAILED: chain 900 alpha 0.5"
if [[ "${1:-}" != "--quick" ]]; then
    run chain 4000 1.5 4 "$THREADS"
fi
