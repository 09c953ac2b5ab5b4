# Redraws order.svg from order.csv with matplotlib; restyle freely.
# Usage: python3 order.py [output file, default order.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "order.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "order.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("Z")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="Z")
x, y, _, e = series("S^z")
ax.plot(x, y, "--", color="#d62728", label="S$^{\\mathrm{z}}$")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("Z, S$^{\\mathrm{z}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Z and S$^{\\mathrm{z}}$ at the three pumps", fontsize=10)
fig.tight_layout()
fig.savefig(out)
