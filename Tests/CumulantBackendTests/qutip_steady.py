# Steady state of docs/physics.md §1.1 with QuTiP (independent of the Swift code).
# stdin: JSON {"n", "pump", "detunings", "f", "g"} and optionally "dephasing", "nonradiative" (§1.5); stdout: JSON {"s": [...], "c": [[re, im]...] (row-major), "d": [...]}
import json, sys
import numpy as np
import qutip as qt

p = json.load(sys.stdin)
n = p["n"]
sm = [qt.tensor([qt.destroy(2) if k == a else qt.qeye(2) for k in range(n)]) for a in range(n)]  # |1> = up
sz = [2 * s.dag() * s - 1 for s in sm]
H = sum(0.5 * p["detunings"][a] * sz[a] for a in range(n))
for a in range(n):
    for b in range(n):
        if a != b:
            H += 0.5 * p["g"][a][b] * sm[a].dag() * sm[b]
F = np.array(p["f"])
w, v = np.linalg.eigh(F)
ops = [np.sqrt(max(wk, 0)) * sum(v[b, k] * sm[b] for b in range(n)) for k, wk in enumerate(w) if wk > 1e-14]
ops += [np.sqrt(p["pump"]) * s.dag() for s in sm]
gphi, gnr = p.get("dephasing", 0.0), p.get("nonradiative", 0.0)
if gphi > 0:
    ops += [np.sqrt(gphi / 2) * z for z in sz]   # (γ_φ/2) D[σᶻ]
if gnr > 0:
    ops += [np.sqrt(gnr) * s for s in sm]        # γ_nr D[σ⁻]
rho = qt.steadystate(H, ops)
out = {"s": [qt.expect(sz[a], rho) for a in range(n)],
       "c": [[complex(qt.expect(sm[a].dag() * sm[b], rho)).real, complex(qt.expect(sm[a].dag() * sm[b], rho)).imag]
             for a in range(n) for b in range(n)],
       "d": [qt.expect(sz[a] * sz[b], rho) for a in range(n) for b in range(n)]}
print(json.dumps(out))
