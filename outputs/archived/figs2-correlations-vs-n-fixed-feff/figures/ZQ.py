# Redraws ZQ.svg from ZQ.csv with matplotlib; restyle freely.
# Usage: python3 ZQ.py [output file, default ZQ.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "ZQ.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "ZQ.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("Z_Q")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="Z$_{\\mathrm{Q}}$")
ax.set_xlabel("number of dipoles N")
ax.set_ylabel("Z$_{\\mathrm{Q}}$")
ax.set_title("Z$_{\\mathrm{Q}}$ versus number of dipoles N", fontsize=10)
fig.tight_layout()
fig.savefig(out)
