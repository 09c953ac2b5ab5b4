#!/usr/bin/env bash
# Permutation-symmetric steady state: dipolesync (level reduction) next to QuTiP's PIQS, f_eff = 15, W = 7.5.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync-bench >/dev/null
BIN=.build/release/dipolesync-bench
field() { grep "^$1:" | head -1 | awk '{print $2}'; }
printf "%6s %12s %12s %10s %10s %8s %12s\n" N ours_s piqs_s ours_MiB piqs_MiB ratio dZQ2
for n in ${DICKE_SIZES:-20 50 100 150}; do
  ours=$($BIN dicke steady "$n" 15 7.5)
  if python3 -c "import qutip" 2>/dev/null; then piqs=$(python3 benchmarks/dicke_piqs.py "$n" 15 7.5); else piqs="seconds: nan"; fi
  to=$(echo "$ours" | field seconds); tp=$(echo "$piqs" | field seconds)
  mo=$(echo "$ours" | field peak-bytes); mp=$(echo "$piqs" | field peak-bytes || echo 0)
  zo=$(echo "$ours" | field ZQ2); zp=$(echo "$piqs" | field ZQ2 || echo nan)
  python3 -c "print('%6d %12.4f %12.4f %10.1f %10.1f %8.1f %12.2e' % ($n, $to, $tp, $mo/2**20, ${mp:-0}/2**20, $tp/$to, abs($zo-${zp:-0})))"
done
echo "N = 10000 (ours only):"
$BIN dicke steady 10000 15 7.5
# The pair two-time function (two-time, docs/physics.md §6.6) against the planner's estimate, CPU
# seconds of one core, f_eff = 15 Γ, τ_max = 40/Γ, 2000 points (docs/physics.md §9.1).
echo "pair two-time (CPU seconds against the plan's estimate):"
for a in "30 15 7.5 0" "50 15 7.5 0" "70 15 7.5 0" "50 15 40 0" "50 15 7.5 5"; do
  $BIN dicke pair $a 40 2000 | grep -E "^(N|cpu_seconds|estimate_seconds):" | tr '\n' ' '; echo
done
