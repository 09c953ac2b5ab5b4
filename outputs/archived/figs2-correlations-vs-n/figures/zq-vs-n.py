# Redraws zq-vs-n.svg from zq-vs-n.csv with matplotlib; restyle freely.
# Usage: python3 zq-vs-n.py [output file, default zq-vs-n.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "zq-vs-n.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "zq-vs-n.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("Z_Q")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="Z$_{\\mathrm{Q}}$")
x, y, _, e = series("Z_Q, f_eff = 15 Γ fixed")
ax.plot(x, y, ":", color="#d62728", label="Z$_{\\mathrm{Q}}$, f$_{\\mathrm{eff}}$ = 15 Γ fixed")
ax.set_xscale("log")
ax.set_xlabel("N")
ax.set_ylabel("Z$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Z$_{\\mathrm{Q}}$ against N, f$_{\\mathrm{ab}}$ = 0.9 Γ, W = f$_{\\mathrm{eff}}$/2 (cumulant)", fontsize=10)
fig.tight_layout()
fig.savefig(out)
