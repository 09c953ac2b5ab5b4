# Redraws chain-vs-collective.svg from chain-vs-collective.csv with matplotlib; restyle freely.
# Usage: python3 chain-vs-collective.py [output file, default chain-vs-collective.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "chain-vs-collective.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "chain-vs-collective.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("chain, spacing a/λ = 0.02")
ax.plot(x, y, "o", color="#1f77b4", label="chain, spacing a/λ = 0.02")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#1f77b4", alpha=0.22, linewidth=0)
x, y, _, e = series("chain, spacing a/λ = 0.03")
ax.plot(x, y, "o", color="#d62728", label="chain, spacing a/λ = 0.03")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#d62728", alpha=0.22, linewidth=0)
x, y, _, e = series("collective, f_eff/Γ = 14.24")
ax.plot(x, y, "--", color="#2ca02c", label="collective, f$_{\\mathrm{eff}}$/Γ = 14.24")
x, y, _, e = series("collective, f_eff/Γ = 12.4")
ax.plot(x, y, "--", color="#9467bd", label="collective, f$_{\\mathrm{eff}}$/Γ = 12.4")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("Z$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("Z$_{\\mathrm{Q}}$: 16-dipole chain at the magic angle against all-to-all", fontsize=10)
fig.tight_layout()
fig.savefig(out)
