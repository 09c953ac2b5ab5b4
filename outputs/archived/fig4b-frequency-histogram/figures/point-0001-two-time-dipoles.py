# Redraws point-0001-two-time-dipoles.svg from point-0001-two-time-dipoles.csv with matplotlib; restyle freely.
# Usage: python3 point-0001-two-time-dipoles.py [output file, default point-0001-two-time-dipoles.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "point-0001-two-time-dipoles.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "point-0001-two-time-dipoles.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("bare detuning δ")
ax.plot(x, y, "o", color="#1f77b4", label="bare detuning δ")
x, y, _, e = series("line frequency ω")
ax.plot(x, y, "o", color="#d62728", label="line frequency ω")
x, y, _, e = series("line half width")
ax.plot(x, y, "o", color="#2ca02c", label="line half width")
ax.set_xlabel("dipole")
ax.set_ylabel("frequency, rate (Γ)")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("each dipole's dominant line: frequency and half width", fontsize=10)
fig.tight_layout()
fig.savefig(out)
