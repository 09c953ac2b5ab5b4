# Redraws finite-size.svg from finite-size.csv with matplotlib; restyle freely.
# Usage: python3 finite-size.py [output file, default finite-size.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "finite-size.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "finite-size.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("Z_Q, number of dipoles N = 900")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="Z$_{\\mathrm{Q}}$, number of dipoles N = 900")
x, y, _, e = series("Z_Q, number of dipoles N = 3600")
ax.plot(x, y, "-", color="#d62728", marker="o", markersize=3, label="Z$_{\\mathrm{Q}}$, number of dipoles N = 3600")
x, y, _, e = series("Z_Q, number of dipoles N = 10000")
ax.plot(x, y, "-", color="#2ca02c", marker="o", markersize=3, label="Z$_{\\mathrm{Q}}$, number of dipoles N = 10000")
ax.set_xlabel("α")
ax.set_ylabel("Z$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Z$_{\\mathrm{Q}}$ at optimal W against α, power-law chains of N = 900, 3600, 10⁴ (cumulant)", fontsize=10)
fig.tight_layout()
fig.savefig(out)
