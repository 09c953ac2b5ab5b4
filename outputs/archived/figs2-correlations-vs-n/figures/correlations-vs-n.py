# Redraws correlations-vs-n.svg from correlations-vs-n.csv with matplotlib; restyle freely.
# Usage: python3 correlations-vs-n.py [output file, default correlations-vs-n.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "correlations-vs-n.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "correlations-vs-n.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("I")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="I")
x, y, _, e = series("D")
ax.plot(x, y, "-", color="#d62728", marker="o", markersize=3, label="D")
x, y, _, e = series("I − D")
ax.plot(x, y, "--", color="#2ca02c", label="I − D")
x, y, _, e = series("I, f_eff = 15 Γ fixed")
ax.plot(x, y, ":", color="#9467bd", label="I, f$_{\\mathrm{eff}}$ = 15 Γ fixed")
x, y, _, e = series("D, f_eff = 15 Γ fixed")
ax.plot(x, y, ":", color="#ff7f0e", label="D, f$_{\\mathrm{eff}}$ = 15 Γ fixed")
ax.axhline(0.13100000000000001, color="#444", linestyle="--", linewidth=1.2, label="I of the f$_{\\mathrm{eff}}$ → ∞ pair state")
ax.axhline(0.081000000000000003, color="#444", linestyle="--", linewidth=1.2, label="D of the f$_{\\mathrm{eff}}$ → ∞ pair state")
ax.set_xscale("log")
ax.set_xlabel("N")
ax.set_ylabel("bits")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Pair correlations against N, f$_{\\mathrm{ab}}$ = 0.9 Γ, W = f$_{\\mathrm{eff}}$/2 (cumulant)", fontsize=10)
fig.tight_layout()
fig.savefig(out)
