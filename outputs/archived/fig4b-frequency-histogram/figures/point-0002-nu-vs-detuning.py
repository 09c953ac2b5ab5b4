# Redraws point-0002-nu-vs-detuning.svg from point-0002-nu-vs-detuning.csv with matplotlib; restyle freely.
# Usage: python3 point-0002-nu-vs-detuning.py [output file, default point-0002-nu-vs-detuning.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "point-0002-nu-vs-detuning.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "point-0002-nu-vs-detuning.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
x, y, _, e = series("ν, not resolvable (hidden by the lines' width)")
ax.plot(x, y, "o", color="#1f77b4", label="ν, not resolvable (hidden by the lines' width)")
x, y, _, e = series("ν = δ_b − δ_a (no coupling)")
ax.plot(x, y, "--", color="#d62728", label="ν = δ$_{\\mathrm{b}}$ − δ$_{\\mathrm{a}}$ (no coupling)")
ax.set_xlabel("δ$_{\\mathrm{b}}$ − δ$_{\\mathrm{a}}$ (Γ)")
ax.set_ylabel("frequency ν/Γ")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)
ax.set_title("relative precession frequency ν against the bare detuning difference", fontsize=10)
fig.tight_layout()
fig.savefig(out)
