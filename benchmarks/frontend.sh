#!/usr/bin/env bash
# Front end at scale: `dipolesync validate` and `plan` on generated specs of 10⁴, 10⁵ and 10⁶ sweep
# points (a collective model, one pump axis) and on a spec holding a mapping of 2·10⁵ keys. Prints
# wall time, peak memory and the time per point (per key): near-constant ratios mean linear cost.
# FRONTEND_POINTS="10000 100000" limits the sizes.
#
# Measured 2026-12-01 on the project's 2-core machine (shared), release build:
#   validate / plan, 10⁴ points:   0.72 s / 0.67 s   (72 / 67 µs a point, 60 MiB)
#   validate / plan, 10⁵ points:   6.5 s / 6.9 s     (65 / 69 µs a point, 350 MiB)
#   validate / plan, 10⁶ points:   84 s / 79 s       (84 / 79 µs a point, 3.1 GiB)
#   validate, mapping of 2·10⁵ keys: 0.41 s          (2 µs a key, 78 MiB)
# Before (quadratic node numbering and duplicate-key search), as reported in the issue: 21 s for 10⁴ points, 10⁵ points
# unfinished after 2 min, 21 s for 10⁵ keys.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync >/dev/null
BIN=$PWD/.build/release/dipolesync
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

spec() { # spec FILE POINTS
  cat >"$1" <<YAML
dipolesync: 1
name: frontend-bench
system:
  lattice: {shape: all-to-all, sites: 20}
  couplings: {uniform: {feff: 15 Gamma}}
  pump: {rate: 7.5 Gamma}
observables: [ZQ, inversion]
sweep:
  grid:
    system.pump.rate: {from: 1 Gamma, to: 25 Gamma, points: $2}
YAML
}

measure() { # measure LABEL COUNT COMMAND...: prints seconds, peak MiB and µs per item
  local label=$1 count=$2; shift 2
  /usr/bin/time -o "$DIR/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
  read -r s kb < <(tail -1 "$DIR/time")
  python3 -c "print('%-34s %9d %9.2f %9.0f %12.2f' % ('$label', $count, $s, $kb / 1024, 1e6 * $s / $count))"
}

printf "%-34s %9s %9s %9s %12s\n" case items seconds MiB "µs/item"
for n in ${FRONTEND_POINTS:-10000 100000 1000000}; do
  spec "$DIR/p$n.yaml" "$n"
  measure "validate, $n points" "$n" "$BIN" validate "$DIR/p$n.yaml"
  measure "plan, $n points" "$n" "$BIN" plan "$DIR/p$n.yaml"
done

# A mapping of 2·10⁵ keys (under an unknown top-level key: one error, exit 1; the reader and the
# duplicate-key check see every key).
python3 - "$DIR/keys.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("dipolesync: 1\nname: frontend-bench\nextra:\n")
    for i in range(200000):
        f.write(f"  k{i}: {i}\n")
PY
measure "validate, mapping of 200000 keys" 200000 "$BIN" validate "$DIR/keys.yaml"
