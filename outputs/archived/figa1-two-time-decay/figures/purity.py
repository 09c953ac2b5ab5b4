# Redraws purity.svg from purity.csv with matplotlib; restyle freely.
# Usage: python3 purity.py [output file, default purity.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "purity.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "purity.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("Γ/γ_slow (cumulant)")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="Γ/γ$_{\\mathrm{slow}}$ (cumulant)")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#1f77b4", alpha=0.22, linewidth=0)
x, y, _, e = series("Γ/γ single exponential (cumulant)")
ax.plot(x, y, "--", color="#d62728", label="Γ/γ single exponential (cumulant)")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#d62728", alpha=0.22, linewidth=0)
x, y, _, e = series("Γ/γ_slow (exact)")
ax.plot(x, y, "o", color="#2ca02c", label="Γ/γ$_{\\mathrm{slow}}$ (exact)")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#2ca02c", alpha=0.22, linewidth=0)
x, y, _, e = series("Γ/γ single exponential (exact)")
ax.plot(x, y, "o", color="#9467bd", label="Γ/γ single exponential (exact)")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#9467bd", alpha=0.22, linewidth=0)
x, y, _, e = series("10 Z_Q")
ax.plot(x, y, ":", color="#ff7f0e", label="10 Z$_{\\mathrm{Q}}$")
ax.set_xscale("log")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("Γ/γ, 10 Z$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Spectral purity of the pair function, N = 70, f$_{\\mathrm{eff}}$ = 15 Γ", fontsize=10)
fig.tight_layout()
fig.savefig(out)
