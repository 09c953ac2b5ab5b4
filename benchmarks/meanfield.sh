#!/usr/bin/env bash
# Mean-field backend benchmark: a 10^4-dipole dipolar chain integrated to its steady state.
# The couplings f and g are dense N×N matrices: 2 × 8 N² bytes = 1.6 GB at N = 10^4 (held by the
# model; the backend adds O(N)). Each right-hand side is two dgemm products on [Re β, Im β].
# Cases:
#   sr87:  the ⁸⁷Sr preset a/λ = 0.077 at the magic angle, W = 3Γ. In a long chain f_eff ≈ (π − x)/x
#          ≈ 5.5Γ (x = 2πa/λ) < 8Γ, so mean field predicts no synchronization at any W: the dynamics
#          relax to the incoherent state β = 0.
#   sync:  a/λ = 0.02 at the magic angle (f_eff ≈ 24Γ), W = 12Γ, elastic couplings off: synchronized.
# Measured (2 shared cores, other jobs running): sr87 N = 10^4: 187 evaluations at 0.47 s, solve 89 s,
# build of f, g 6.9 s, peak RSS 1.5 GiB; sync N = 2000: 2569 evaluations at 0.011 s, 28 s. The dense
# product reads 1.6 GB an evaluation, so N = 10^4 is memory-bandwidth bound and misses the 60 s target.
# Usage: benchmarks/meanfield.sh [N] [case...]; prints key: value lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
shift || true
CASES=${*:-sr87 sync}
swift build -c release --product dipolesync-bench >/dev/null
B=.build/release/dipolesync-bench
for c in $CASES; do
  echo "== mean-field $c, N = $N"
  case $c in
    sr87) $B mean-field "$N" 0.077 magic 3 on 1e-6 2 2000 ;;
    sync) $B mean-field "$N" 0.02 magic 12 off 1e-6 2 2000 ;;
    *) echo "unknown case $c"; exit 2 ;;
  esac
done
