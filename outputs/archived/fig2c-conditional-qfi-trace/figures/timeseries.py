# Redraws timeseries.svg from timeseries.csv with matplotlib; restyle freely.
# Usage: python3 timeseries.py [output file, default timeseries.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "timeseries.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "timeseries.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("conditional F̄_Q")
ax.plot(x, y, "-", color="#1f77b4", label="conditional F̄$_{\\mathrm{Q}}$")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#1f77b4", alpha=0.22, linewidth=0)
x, y, _, e = series("conditional F̄_Q, trajectory 1")
ax.plot(x, y, ":", color="#d62728", label="conditional F̄$_{\\mathrm{Q}}$, trajectory 1")
ax.axhline(10.666666666666666, color="#444", linestyle="--", linewidth=1.2, label="witness 2N/3")
ax.set_xlabel("time t (1/Γ)")
ax.set_ylabel("conditional F̄$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("conditional F̄$_{\\mathrm{Q}}$ against time", fontsize=10)
fig.tight_layout()
fig.savefig(out)
