# Redraws point-0002-spectrum.svg from point-0002-spectrum.csv with matplotlib; restyle freely.
# Usage: python3 point-0002-spectrum.py [output file, default point-0002-spectrum.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "point-0002-spectrum.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "point-0002-spectrum.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("spectrum S(ω)")
ax.plot(x, y, "-", color="#1f77b4", label="spectrum S(ω)")
ax.set_xlabel("frequency ω/Γ")
ax.set_ylabel("spectrum S(ω)")
ax.set_title("spectrum", fontsize=10)
fig.tight_layout()
fig.savefig(out)
