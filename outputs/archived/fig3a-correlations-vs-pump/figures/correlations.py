# Redraws correlations.svg from correlations.csv with matplotlib; restyle freely.
# Usage: python3 correlations.py [output file, default correlations.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "correlations.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "correlations.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("mutual information I")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="mutual information I")
x, y, _, e = series("discord D")
ax.plot(x, y, "-", color="#d62728", marker="o", markersize=3, label="discord D")
x, y, _, e = series("classical I − D")
ax.plot(x, y, "--", color="#2ca02c", label="classical I − D")
x, y, _, e = series("Z_Q (scaled to max I)")
ax.plot(x, y, ":", color="#9467bd", label="Z$_{\\mathrm{Q}}$ (scaled to max I)")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("I, D, I − D")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Pair (0, 1) correlations, N = 70, f$_{\\mathrm{eff}}$ = 15 Γ", fontsize=10)
fig.tight_layout()
fig.savefig(out)
