#!/usr/bin/env bash
# Mean-field backend benchmark: dipolar arrays integrated to their steady state.
# Dense couplings are N×N matrices: 2 × 8 N² bytes = 1.6 GB at N = 10^4, each right-hand side two dgemm
# products on [Re β, Im β] reading all of it. Lattice couplings (docs/physics.md §2.6) hold the spectra
# of the circulant embeddings (O(N)) and each right-hand side is one forward and one inverse FFT.
# Cases:
#   sr87:        the ⁸⁷Sr preset a/λ = 0.077 at the magic angle, W = 3Γ, dense. In a long chain f_eff ≈
#                (π − x)/x ≈ 5.5Γ (x = 2πa/λ) < 8Γ, so mean field predicts no synchronization at any W:
#                the dynamics relax to the incoherent state β = 0.
#   sync:        a/λ = 0.02 at the magic angle (f_eff ≈ 24Γ), W = 12Γ, elastic couplings off:
#                synchronized; lattice couplings (target: N = 10^4 under 5 s, 10^5 under 2 min).
#   sync-dense:  the same with dense couplings (the old path; 102 s at N = 10^4).
#   square:      sync on a √N × √N square lattice, lattice couplings: the FFT cost of a plane. Not
#                globally synchronized: below λ/2 the square lattice's brightest modes sit at the light
#                cone (docs/physics.md §4.7); 100 × 100: Z = 0.011, 2311 evaluations, 2.8 s (2026-12-04).
#   chain-1e6, square-1000: the whole pipeline (`dipolesync run`: plan, solve, results, tables, pictures,
#                bundle) on benchmarks/specs/meanfield-chain-1e6.yaml (the sync chain with 10^6 dipoles)
#                and meanfield-square-1000.yaml (1000 × 1000 square lattice at the lattice resonance
#                a = λ, docs/physics.md §4.7), observables Z, ZQ,
#                inversion, frequency and the per-dipole `phases` (written as .npy). Target: each under
#                30 min within 4 GiB; prints wall time, CPU time and peak memory (/usr/bin/time -v) and
#                the bundle's size. N is ignored.
#                Measured 2026-12-02 (nice 10 on 2 cores under load 11–16 from other jobs): chain-1e6
#                from random phases did not finish: stopped after 21 CPU min, still integrating (a slowly
#                relaxing phase texture, docs/physics.md §4.6). Started in phase (the spec since
#                2026-12-03): 38 CPU s, 58 s wall, 0.70 GB peak, Z = 0.28717 = the closed form with
#                F = 24 Γ. square-1000 (2026-12-04, 2 cores, otherwise idle): from random phases
#                synchronized globally by t = 5.1/Γ, 77 steps, 469 evaluations, 127 CPU s, 2 min 9 s wall,
#                0.71 GB peak, bundle 55 MB, Z = 0.28304 (collective closed form with f_eff = 22.67 Γ:
#                0.2843; the open edges make the state slightly non-uniform); from an in-phase start
#                Z = 0.28303 in 72 s. At a = 0.02 λ the lattice is not globally synchronized (§4.7).
#                `plan`: ~24 min, 810 MiB (it assumed ~3 000 right-hand sides; this run needed 469,
#                at 0.27 s each against the 0.48 s assumed). Since 2026-12-05 `plan` counts ~300
#                right-hand sides from an in-phase start (chain-1e6: ~37 s planned, 235 measured in
#                34.6 CPU s) and 3 000 otherwise, each FFT at 2.5 M log₂ M flops (square-1000: ~13 min,
#                0.15 s a right-hand side against 0.27 s measured: the plane's FFTs run slower than a
#                line's).
#   collective-1e6: the whole pipeline on benchmarks/specs/meanfield-collective-1e6.yaml: the all-to-all
#                model with 10^6 Gaussian-detuned dipoles (σ = 2 Γ, f_eff = 15 Γ, W = 7.5 Γ) from random
#                phases, couplings held as f_eff and g_eff (O(N) sums). Measured 2026-12-06 (2 cores,
#                one other build running): 643 evaluations, 10.8 s wall, 10.0 CPU s, 0.70 GB peak, bundle
#                55 MB; Z = 0.16776 against the N → ∞ self-consistent 0.16784 (docs/physics.md §4.3).
#                `plan`: ~20 s, 627 MiB (1 000 right-hand sides assumed for an all-to-all model from random phases).
# Measured (2 shared cores, load ~8 from other jobs, 2026-12-02): sync N = 10^4: 2737 evaluations,
# 2.2 s (1.4 s with FFTW's SIMD codelets, which the program does not use: docs/reproducibility.md),
# 31 MiB; N = 10^5: 2389 evaluations, 22 s (9.2 ms each), 69 MiB; N = 2000: Z equal to sync-dense's to 1e-12 (0.31 s against 26 s). Dense, before lattice
# couplings: sr87 N = 10^4: 187 evaluations at 0.47 s, solve 89 s; sync-dense N = 10^4: 2737
# evaluations at 37 ms, 102 s.
# Usage: benchmarks/meanfield.sh [N] [case...]; prints key: value lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
shift || true
CASES=${*:-sync sr87}
swift build -c release --product dipolesync-bench >/dev/null
swift build -c release --product dipolesync >/dev/null
B=.build/release/dipolesync-bench
# The whole pipeline on a spec, with /usr/bin/time -v's wall time, CPU time and peak memory.
pipeline() {
  local out log
  out=$(mktemp -d)
  log=$(mktemp)
  /usr/bin/time -v .build/release/dipolesync run "benchmarks/specs/$1.yaml" --out "$out/bundle" --quiet 2>"$log" >/dev/null \
    || { cat "$log"; rm -rf "$out" "$log"; exit 3; }
  grep -E "Elapsed \(wall|User time|System time|Maximum resident" "$log" | sed 's/^[[:space:]]*//'
  echo "bundle: $(du -sh "$out/bundle" | cut -f1)"
  grep -oE '"(steps|evaluations|Z|ZQ)": ?[0-9.e+-]*' "$out/bundle/results.json" | tr '\n' ' '
  echo
  rm -rf "$out" "$log"
}
for c in $CASES; do
  echo "== mean-field $c, N = $N"
  case $c in
    sr87) $B mean-field "$N" 0.077 magic 3 on 1e-6 2 2000 dense ;;
    sync) $B mean-field "$N" 0.02 magic 12 off 1e-6 2 2000 lattice ;;
    sync-dense) $B mean-field "$N" 0.02 magic 12 off 1e-6 2 2000 dense ;;
    square) $B mean-field "$N" 0.02 magic 12 off 1e-6 2 2000 lattice square ;;
    chain-1e6) pipeline meanfield-chain-1e6 ;;
    square-1000) pipeline meanfield-square-1000 ;;
    collective-1e6) pipeline meanfield-collective-1e6 ;;
    *) echo "unknown case $c"; exit 2 ;;
  esac
done
