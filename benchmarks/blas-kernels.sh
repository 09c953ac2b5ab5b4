#!/usr/bin/env bash
# What pinning OpenBLAS's kernel set costs (docs/reproducibility.md): the same cases with the portable
# kernels every run uses (Haswell on x86-64), with the kernels OpenBLAS picks for this CPU
# (DIPOLESYNC_BLAS_KERNELS=native), and with the AVX-512 kernels a SkylakeX-class CPU would pick.
# Cases: the cumulant 4000-dipole power-law chain with dense couplings (BLAS products; the planner
# would take lattice couplings, FFTs) and the exact 12-dipole dipolar chain (release build).
# Usage: [THREADS=2] benchmarks/blas-kernels.sh [--quick]   (--quick: N = 900 and N = 10 instead)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync-bench >/dev/null
BIN=.build/release/dipolesync-bench
if [[ "${1:-}" == "--quick" ]]; then NC=900; NE=10; else NC=4000; NE=12; fi
measure() {  # label, env..., -- args...
    local label=$1; shift
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done; shift
    local out
    out=$(env "${envs[@]}" "$BIN" "$@" 2>&1)
    local s k
    s=$(echo "$out" | awk -F': ' '/^seconds:/ {print $2; exit}' | awk '{print $1}')
    k=$(echo "$out" | awk -F': ' '/^blas_kernels:/ {print $2}')
    printf "%-28s %-22s %10.2f s\n" "$label" "$k" "$s" >&2
    echo "$s"
}
echo "case                         kernels                  seconds" >&2
for spec in "cumulant chain $NC 1.5 4 ${THREADS:-2} dense" "exact steady $NE"; do
    read -r -a a <<<"$spec"
    p=$(measure "${a[0]} N=${a[2]:-$NE} pinned" DIPOLESYNC_X=1 -- "${a[@]}")
    n=$(measure "${a[0]} N=${a[2]:-$NE} native" DIPOLESYNC_BLAS_KERNELS=native -- "${a[@]}")
    x=$(measure "${a[0]} N=${a[2]:-$NE} SkylakeX" DIPOLESYNC_BLAS_KERNELS=native OPENBLAS_CORETYPE=SkylakeX -- "${a[@]}")
    awk -v p="$p" -v n="$n" -v x="$x" 'BEGIN { printf "  pinned / native = %.2f, pinned / SkylakeX = %.2f\n", p / n, p / x }' >&2
done
