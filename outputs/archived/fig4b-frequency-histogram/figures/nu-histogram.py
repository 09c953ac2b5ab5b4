# Redraws nu-histogram.svg from nu-histogram.csv with matplotlib; restyle freely.
# Usage: python3 nu-histogram.py [output file, default nu-histogram.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "nu-histogram.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "nu-histogram.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("exponent α = 0")
ax.plot(x, y, "-", color="#1f77b4", label="exponent α = 0")
x, y, _, e = series("exponent α = 0.65")
ax.plot(x, y, "-", color="#d62728", label="exponent α = 0.65")
x, y, _, e = series("exponent α = 2")
ax.plot(x, y, "-", color="#2ca02c", label="exponent α = 2")
ax.set_xlabel("frequency ν/Γ")
ax.set_ylabel("pairs")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("histogram of ν over the pairs (bins 0.086 Γ wide)", fontsize=10)
fig.tight_layout()
fig.savefig(out)
