#!/usr/bin/env bash
# The `optimize` search's cost on the papers' Fig. 5(a) grid (specs/fig5a-angle-spacing.yaml: 3 angles
# x 2 spacings, optimal W in [0.5, 15] Gamma to 2 %), with 8 dipoles instead of 12 so that it runs in
# seconds: solves per optimum, the optimum and Z_Q. Reference, the golden-section search that Brent's
# method replaced (2026-12-02, same grid and N): 20 solves at every point, W_opt 6.581 / 6.443 /
# 6.381 / 5.596 / 6.519 / 6.481 Gamma and Z_Q 0.225701 / 0.224500 / 0.295335 / 0.274408 / 0.222340 /
# 0.221532 by point index; Brent gave 11–12 solves, W_opt within 0.02 Gamma, Z_Q within 2e-6.
# A 12-dipole optimum costs about (solves) x 50–80 s of CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync >/dev/null
BIN="$(swift build -c release --show-bin-path)/dipolesync"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e 's/sites: 12/sites: 8/' -e 's/^name: .*/name: optimize-bench/' -e '/^figures:/,$d' \
  -e "s#\.\./schemas#$PWD/schemas#" specs/fig5a-angle-spacing.yaml > "$tmp/spec.yaml"
"$BIN" run "$tmp/spec.yaml" --out "$tmp/bundle" --quiet --threads 1 >/dev/null
python3 - "$tmp/bundle" <<'PY'
import csv, json, sys
b = sys.argv[1]
m = json.load(open(b + "/manifest.json"))
t = {p["index"]: p for p in m["timings"]["points"]}
print(f"{'point':>5} {'solves':>6} {'seconds':>8} {'W_opt':>8} {'ZQ':>10}")
for r in csv.DictReader(open(b + "/tables/points.csv")):
    i = int(r["index"])
    print(f"{i:5d} {t[i]['solves']:6d} {t[i]['seconds']:8.2f} {float(r['optimum:system.pump.rate']):8.3f} {float(r['ZQ']):10.6f}")
PY
