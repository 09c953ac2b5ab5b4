# Redraws qfi-witness.svg from qfi-witness.csv with matplotlib; restyle freely.
# Usage: python3 qfi-witness.py [output file, default qfi-witness.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "qfi-witness.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "qfi-witness.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("witness 2N/3")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="witness 2N/3")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("witness 2N/3")
ax.set_title("witness 2N/3 versus pump rate W/Γ", fontsize=10)
fig.tight_layout()
fig.savefig(out)
