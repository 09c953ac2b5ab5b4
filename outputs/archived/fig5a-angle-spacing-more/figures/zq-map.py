# Redraws zq-map.svg from zq-map.csv with matplotlib; restyle freely.
# Usage: python3 zq-map.py [output file, default zq-map.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "zq-map.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "zq-map.csv"), encoding="utf-8")))

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
mesh = ax.pcolormesh(xs, ys, z, shading="nearest", cmap="viridis", norm=matplotlib.colors.Normalize(vmin=0, vmax=1), rasterized=True)
if len(xs) > 1 and len(ys) > 1:
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])   # the swept range, as the SVG
fig.colorbar(mesh, ax=ax, label="Z$_{\\mathrm{Q}}$/Z$_{\\mathrm{Q}}$$^{\\mathrm{max}}$")
cx = sorted({num(r["x"]) for r in rows if r["series"] == "contours"})
cy = sorted({num(r["y"]) for r in rows if r["series"] == "contours"})
cz = [[math.nan] * len(cx) for _ in cy]
for r in rows:
    if r["series"] == "contours":
        cz[cy.index(num(r["y"]))][cx.index(num(r["x"]))] = num(r["value"])
cs = ax.contour(cx, cy, cz, levels=[-1000, -100, -10, -1, 0, 1, 10, 100], colors="white", linewidths=1)
ax.clabel(cs, fontsize=8)
ax.text(0, -0.16, "lines: g(a)/Γ of nearest neighbours", transform=ax.transAxes, fontsize=8)
ax.set_xlabel("θ (deg)")
ax.set_ylabel("a/λ")
ax.set_title("Z$_{\\mathrm{Q}}$/Z$_{\\mathrm{Q}}$$^{\\mathrm{max}}$ of 12 dipoles at optimal W (lines: nearest-neighbour g(a)/Γ)", fontsize=10)
fig.tight_layout()
fig.savefig(out)
