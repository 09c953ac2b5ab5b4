# Redraws bloch.svg from bloch.csv with matplotlib; restyle freely.
# Usage: python3 bloch.py [output file, default bloch.pdf]
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "bloch.pdf")
rows = list(csv.DictReader(open(os.path.join(here, "bloch.csv"), encoding="utf-8")))

def num(v):
    return float(v) if v != "" else math.nan

def series(label):
    r = [row for row in rows if row["series"] == label]
    return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]

labels = list(dict.fromkeys(r["series"] for r in rows))
fig = plt.figure(figsize=(3 * max(1, len(labels)), 3.4))
for k, label in enumerate(labels):
    ax = fig.add_subplot(1, len(labels), k + 1, projection="3d")
    phi, perp, sz, _ = series(label)
    u = [i * math.pi / 24 for i in range(49)]
    ax.plot([math.cos(t) for t in u], [math.sin(t) for t in u], [0] * 49, color="#888", linewidth=0.8)
    ax.plot([0, 0], [0, 0], [-1, 1], color="#aaa", linewidth=0.8)
    ax.scatter([2 * p * math.cos(a) for p, a in zip(perp, phi)], [2 * p * math.sin(a) for p, a in zip(perp, phi)],
               [2 * z for z in sz], c=[(a / (2 * math.pi)) % 1 for a in phi], cmap="hsv", vmin=0, vmax=1, s=8)
    ax.scatter([math.cos(a) for a in phi], [math.sin(a) for a in phi], [0] * len(phi), facecolors="none",
               edgecolors=[matplotlib.cm.hsv((a / (2 * math.pi)) % 1) for a in phi], s=6, linewidths=0.6)
    ax.set_xlim(-1, 1); ax.set_ylim(-1, 1); ax.set_zlim(-1, 1)
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=20, azim=-90)
    ax.set_axis_off()
    ax.set_title(label + "\n" + r"mean $S^z$ = %.3g" % (sum(sz) / max(1, len(sz))), fontsize=9)
fig.tight_layout()
fig.savefig(out)
