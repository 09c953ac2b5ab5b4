# Redraws qfi.svg from qfi.csv with matplotlib; restyle freely.
# Usage: python3 qfi.py [output file, default qfi.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "qfi.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "qfi.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("unconditional F_Q(ρ)")
ax.plot(x, y, "-", color="#1f77b4", marker="o", markersize=3, label="unconditional F$_{\\mathrm{Q}}$(ρ)")
x, y, _, e = series("conditional F_Q (QSD)")
ax.plot(x, y, "o", color="#d62728", label="conditional F$_{\\mathrm{Q}}$ (QSD)")
ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color="#d62728", alpha=0.22, linewidth=0)
ax.axhline(10.666700000000001, color="#444", linestyle="--", linewidth=1.2, label="witness 2N/3")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("F$_{\\mathrm{Q}}$")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("QFI, N = 16, f$_{\\mathrm{eff}}$ = 15 Γ", fontsize=10)
fig.tight_layout()
fig.savefig(out)
