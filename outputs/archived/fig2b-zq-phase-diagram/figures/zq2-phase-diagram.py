# Redraws zq2-phase-diagram.svg from zq2-phase-diagram.csv with matplotlib; restyle freely.
# Usage: python3 zq2-phase-diagram.py [output file, default zq2-phase-diagram.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "zq2-phase-diagram.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "zq2-phase-diagram.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

fig, ax = plt.subplots(figsize=(6.4, 4.2))
xs = sorted({num(r["x"]) for r in rows if r["series"] == "map"})
ys = sorted({num(r["y"]) for r in rows if r["series"] == "map"})
z = [[math.nan] * len(xs) for _ in ys]
for r in rows:
    if r["series"] == "map":
        z[ys.index(num(r["y"]))][xs.index(num(r["x"]))] = num(r["value"])
mesh = ax.pcolormesh(xs, ys, z, shading="nearest", cmap="RdBu_r", norm=matplotlib.colors.TwoSlopeNorm(vcenter=0, vmin=None, vmax=None), rasterized=True)
if len(xs) > 1 and len(ys) > 1:
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])   # the swept range, as the SVG
fig.colorbar(mesh, ax=ax, label="Z$_{\\mathrm{Q}}$$^{\\mathrm{2}}$")
cs = ax.contour(xs, ys, z, levels=[0], colors="#222222", linewidths=1)
ax.clabel(cs, fontsize=8)
x, y, _, e = series("mean-field boundary")
ax.plot(x, y, "--", color="#000000", label="mean-field boundary")
ax.set_xscale("log")
ax.set_xlabel("pump rate W/Γ")
ax.set_ylabel("f$_{\\mathrm{eff}}$/Γ")
ax.legend(loc="best", fontsize=8)
ax.set_title("Z$_{\\mathrm{Q}}$$^{\\mathrm{2}}$, N = 70, with the mean-field boundary", fontsize=10)
fig.tight_layout()
fig.savefig(out)
