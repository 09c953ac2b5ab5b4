# Redraws point-0000-nu-vs-b.svg from point-0000-nu-vs-b.csv with matplotlib; restyle freely.
# Usage: python3 point-0000-nu-vs-b.py [output file, default point-0000-nu-vs-b.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "point-0000-nu-vs-b.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "point-0000-nu-vs-b.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("ν, not resolvable (hidden by the lines' width)")
ax.plot(x, y, "o", color="#1f77b4", label="ν, not resolvable (hidden by the lines' width)")
x, y, _, e = series("δ_b − δ_a (bare)")
ax.plot(x, y, "o", color="#d62728", label="δ$_{\\mathrm{b}}$ − δ$_{\\mathrm{a}}$ (bare)")
ax.set_xlabel("partner dipole b")
ax.set_ylabel("frequency ν/Γ")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("relative precession frequency ν against the partner b", fontsize=10)
fig.tight_layout()
fig.savefig(out)
