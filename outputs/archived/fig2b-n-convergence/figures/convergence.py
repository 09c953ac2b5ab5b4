# Redraws convergence.svg from convergence.csv with matplotlib; restyle freely.
# Usage: python3 convergence.py [output file, default convergence.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "convergence.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "convergence.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("exact, number of dipoles N = 70")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="exact, number of dipoles N = 70")
x, y, _, e = series("exact, number of dipoles N = 300")
ax.plot(x, y, "-", color="#d62728", marker="o", markersize=3, label="exact, number of dipoles N = 300")
x, y, _, e = series("exact, number of dipoles N = 1000")
ax.plot(x, y, "-", color="#2ca02c", marker="o", markersize=3, label="exact, number of dipoles N = 1000")
x, y, _, e = series("exact, number of dipoles N = 3000")
ax.plot(x, y, "-", color="#9467bd", marker="o", markersize=3, label="exact, number of dipoles N = 3000")
x, y, _, e = series("mean field (Eq. 10)")
ax.plot(x, y, "--", color="#ff7f0e", label="mean field (Eq. 10)")
ax.set_xscale("log")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("Z$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Z$_{\\mathrm{Q}}$ of the collective model, f$_{\\mathrm{eff}}$ = 15 Γ: exact at N = 70 … 3000 and mean field", fontsize=10)
fig.tight_layout()
fig.savefig(out)
