# Redraws spectrum-peak-frequency.svg from spectrum-peak-frequency.csv with matplotlib; restyle freely.
# Usage: python3 spectrum-peak-frequency.py [output file, default spectrum-peak-frequency.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "spectrum-peak-frequency.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "spectrum-peak-frequency.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("peak frequency/Γ")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="peak frequency/Γ")
ax.set_xlabel("dephasing rate γ$_{\\mathrm{φ}}$/Γ")
ax.set_ylabel("peak frequency/Γ")
ax.set_title("peak frequency/Γ versus dephasing rate γ$_{\\mathrm{φ}}$/Γ", fontsize=10)
fig.tight_layout()
fig.savefig(out)
