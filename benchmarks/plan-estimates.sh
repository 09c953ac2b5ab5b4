#!/usr/bin/env bash
# `dipolesync plan`'s estimates against measured runs, spec by spec (benchmarks/plan_estimates.py).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dipolesync >/dev/null
DIPOLESYNC="$(swift build -c release --show-bin-path)/dipolesync" exec python3 benchmarks/plan_estimates.py "$@"
