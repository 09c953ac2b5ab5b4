# Redraws linewidth.svg from linewidth.csv with matplotlib; restyle freely.
# Usage: python3 linewidth.py [output file, default linewidth.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "linewidth.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "linewidth.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("collective linewidth (exact)")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="collective linewidth (exact)")
ax.axhline(1, color="#444", linestyle="--", linewidth=1.2, label="a lone dipole's width")
ax.axvline(2.0227744249483388, color="#444", linestyle="--", linewidth=1.2, label="mean-field end, f$_{\\mathrm{eff}}$ = 15 Γ")
ax.set_xlabel("dephasing γ$_{\\mathrm{φ}}$/Γ")
ax.set_ylabel("linewidth / (Γ + W$_{\\mathrm{opt}}$ + 2γ$_{\\mathrm{φ}}$)")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Collective linewidth over a lone dipole's at the optimal pump, N = 70, f$_{\\mathrm{eff}}$ = 15 Γ", fontsize=10)
fig.tight_layout()
fig.savefig(out)
