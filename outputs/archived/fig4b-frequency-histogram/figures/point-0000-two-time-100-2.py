# Redraws point-0000-two-time-100-2.svg from point-0000-two-time-100-2.csv with matplotlib; restyle freely.
# Usage: python3 point-0000-two-time-100-2.py [output file, default point-0000-two-time-100-2.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "point-0000-two-time-100-2.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "point-0000-two-time-100-2.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("real part")
ax.plot(x, y, "-", color="#1f77b4", label="real part")
x, y, _, e = series("imaginary part")
ax.plot(x, y, "-", color="#d62728", label="imaginary part")
ax.set_xlabel("delay τ (1/Γ)")
ax.set_ylabel("two-time correlation  100 2")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("two-time correlation  100 2 (pair 3 of 100 drawn; all in tables/)", fontsize=10)
fig.tight_layout()
fig.savefig(out)
