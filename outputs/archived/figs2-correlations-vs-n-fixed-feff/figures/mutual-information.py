# Redraws mutual-information.svg from mutual-information.csv with matplotlib; restyle freely.
# Usage: python3 mutual-information.py [output file, default mutual-information.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "mutual-information.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "mutual-information.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("mutual information I")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="mutual information I")
ax.set_xlabel("number of dipoles N")
ax.set_ylabel("mutual information I")
ax.set_title("mutual information I versus number of dipoles N", fontsize=10)
fig.tight_layout()
fig.savefig(out)
