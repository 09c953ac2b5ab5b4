#!/usr/bin/env bash
# Exact backend versus QuTiP's full-Liouvillian steady state for dipolar chains at the magic angle
# (spacing 0.1 λ, W = f_eff/2), then the 12-dipole chain and the 16- and 20-dipole jump-trajectory rates.
# Usage: benchmarks/exact.sh [NMAX_QUTIP=8]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync-bench >/dev/null
BENCH=.build/release/dipolesync-bench
NMAX=${1:-8}
printf "%3s %12s %12s %10s %12s %12s %10s %12s\n" N ours_s qutip_s speedup ours_MiB qutip_MiB mem_ratio dZQ2
for n in $(seq 4 "$NMAX"); do
  ours=$($BENCH exact steady "$n")
  ts=$(echo "$ours" | awk '/^seconds:/ {print $2}')
  zq=$(echo "$ours" | awk '/^ZQ:/ {print $2}')
  rs=$(echo "$ours" | awk '/^peak_rss_bytes:/ {print $2}')
  if q=$(python3 benchmarks/exact_qutip.py "$n" 2>/dev/null); then
    tq=$(echo "$q" | awk '/qutip_seconds:/ {print $2}')
    zq2q=$(echo "$q" | awk '/qutip_ZQ2:/ {print $2}')
    rq=$(echo "$q" | awk '/qutip_peak_rss_bytes:/ {print $2}')
    awk -v n="$n" -v ts="$ts" -v tq="$tq" -v rs="$rs" -v rq="$rq" -v zq="$zq" -v zq2q="$zq2q" 'BEGIN {
      printf "%3d %12.3f %12.3f %10.1f %12.1f %12.1f %10.2f %12.2e\n", n, ts, tq, tq/ts, rs/2^20, rq/2^20, rq/rs, zq*zq - zq2q }'
  else
    awk -v n="$n" -v ts="$ts" -v rs="$rs" 'BEGIN { printf "%3d %12.3f %12s %10s %12.1f\n", n, ts, "n/a", "-", rs/2^20 }'
  fi
done
echo "--- 12-dipole dipolar chain steady state (tolerance 1e-10)"
/usr/bin/time -f "wall_seconds: %e  max_rss_kib: %M" $BENCH exact steady 12
echo "--- quantum-jump trajectories, a = 0.02 lambda, W = 7 Gamma: N = 16 (2 x 5/Gamma, 1 thread), N = 20 (2 x 1/Gamma, 2 threads)"
$BENCH exact jumps 16 0.02 7 2 5 1 | grep -E "^(N|seconds|trajectory_time_per_second|jumps-per-trajectory|peak_rss_bytes):"
$BENCH exact jumps 20 0.02 7 2 1 2 | grep -E "^(N|seconds|trajectory_time_per_second|jumps-per-trajectory|peak_rss_bytes):"
echo "--- quantum state diffusion (qfi-conditional), N = 16, f_eff = 15 Γ, W = 7.5 Γ, from the ground state (docs/physics.md §6.3.1, §6.3.3)"
echo "    target: one trajectory of 10/Γ in under 30 s of one core; step error of the time-averaged F̄_Q below its sampling error"
# CPU seconds per trajectory of 10/Γ (one thread; CPU, not wall-clock, time: the machine may be shared):
# the weak-order-2 scheme at the step 0.1/(rate scale), then the archived bundles' milstein scheme at
# 0.05/(rate scale) over 2/Γ, each against the planner's estimate for the same work. Measured 2026-12-03
# with nothing else running: 24.7–26.6 s per trajectory for weak-2 at 0.1, the previous version 30.1 s back to
# back (this VM's speed varies up to 1.5× over a day; docs/physics.md §6.3.3).
$BENCH exact qsd 16 15 7.5 10 0.1 2 1 weak-2 | grep -E "^(qsd_N|seconds|cpu_seconds_per|qfi_conditional|peak_rss_bytes):"
$BENCH exact qsd-plan 16 15 7.5 10 0.1 2 1 weak-2 | grep -E "^(estimate_seconds):"
$BENCH exact qsd 16 15 7.5 2 0.05 2 1 milstein | grep -E "^(qsd_N|seconds|cpu_seconds_per|qfi_conditional):"
$BENCH exact qsd-plan 16 15 7.5 2 0.05 2 1 milstein | grep -E "^(estimate_seconds):"
# Step error of the time-averaged F̄_Q (weak-2): each path one Brownian path at the step fractions 0.2,
# 0.1 and 0.05 (areas joined by Chen's relation, so the levels stay close and few paths resolve their
# differences). With weak order 2 the error of F̄(0.1) is ≈ 4/3 of F̄(0.1) − F̄(0.05); compare it with the
# sampling error (the spread of F̄ over paths, one path's; the standard error of an ensemble divides it
# by √trajectories). Six paths (the default, ~6 CPU min) show the scale only; QSD_STEP_PATHS=48 (~35 CPU
# min) resolved it on 2026-12-03: F̄(0.1) − F̄(0.05) = 0.0008 ± 0.0020, spread 0.107 (docs/physics.md §6.3.3).
$BENCH exact qsd-step 16 15 7.5 4 0.2 "${QSD_STEP_PATHS:-6}" 2 weak-2 3 | grep -E "^(qsd_step_N|seconds|qfi_level|step_difference|sampling_error)"
# The planner's diffusion estimate with dephasing and non-radiative decay (docs/physics.md §9.1): N = 12,
# f_eff = 6 Γ, W = 3 Γ, 2 trajectories of 5/Γ on one thread, without, γ_φ = 2 Γ, γ_nr = 2 Γ, wall seconds
# (of one thread) against the estimate.
for r in "0 0" "2 0" "0 2"; do
  $BENCH exact qsd 12 6 3 5 0.05 2 1 milstein $r | grep -E "^(qsd_N|seconds):" | tr '\n' ' '
  $BENCH exact qsd-plan 12 6 3 5 0.05 2 1 milstein $r | grep -E "^estimate_seconds:"
done
