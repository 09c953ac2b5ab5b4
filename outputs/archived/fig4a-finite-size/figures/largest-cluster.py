# Redraws largest-cluster.svg from largest-cluster.csv with matplotlib; restyle freely.
# Usage: python3 largest-cluster.py [output file, default largest-cluster.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "largest-cluster.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "largest-cluster.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("d = 450, number of dipoles N = 900")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="d = 450, number of dipoles N = 900")
x, y, _, e = series("d = 450, number of dipoles N = 3600")
ax.plot(x, y, "-", color="#d62728", marker="o", markersize=3, label="d = 450, number of dipoles N = 3600")
x, y, _, e = series("d = 450, number of dipoles N = 10000")
ax.plot(x, y, "-", color="#2ca02c", marker="o", markersize=3, label="d = 450, number of dipoles N = 10000")
x, y, _, e = series("d = 16, number of dipoles N = 900")
ax.plot(x, y, "--", color="#9467bd", label="d = 16, number of dipoles N = 900")
x, y, _, e = series("d = 16, number of dipoles N = 3600")
ax.plot(x, y, "--", color="#ff7f0e", label="d = 16, number of dipoles N = 3600")
x, y, _, e = series("d = 16, number of dipoles N = 10000")
ax.plot(x, y, "--", color="#17becf", label="d = 16, number of dipoles N = 10000")
ax.axhline(0.14000000000000001, color="#444", linestyle="--", linewidth=1.2, label="0.14 (the papers' contour)")
ax.set_xlabel("α")
ax.set_ylabel("Z$_{\\mathrm{Q}}$$^{\\mathrm{d}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Z$_{\\mathrm{Q}}$$^{\\mathrm{d}}$ of clusters of d = 16 and 450 dipoles at optimal W against α, power-law chains", fontsize=10)
fig.tight_layout()
fig.savefig(out)
