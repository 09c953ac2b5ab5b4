# Reference steady state of the dipole master equation (PHYSICS.md §1) with QuTiP.
# stdin: JSON {"n", "f" (row-major N*N), "g", "delta", "W"}; stdout: JSON {"c_re", "c_im"} with
# C_ab = <sigma+_a sigma-_b> (populations on the diagonal), row-major.
import json, sys
import numpy as np
import qutip as qt

p = json.load(sys.stdin)
n = p["n"]
f = np.array(p["f"]).reshape(n, n)
g = np.array(p["g"]).reshape(n, n)
delta = p["delta"]
W = p["W"]

def op(single, a):
    ops = [qt.qeye(2)] * n
    ops[a] = single
    return qt.tensor(ops)

sm = [op(qt.destroy(2), a) for a in range(n)]   # |1> = up, |0> = down
sp = [s.dag() for s in sm]
sz = [2 * sp[a] * sm[a] - 1 for a in range(n)]
H = sum(0.5 * delta[a] * sz[a] for a in range(n))
for a in range(n):
    for b in range(n):
        if a != b:
            H += 0.5 * g[a, b] * sp[a] * sm[b]
lam, vec = np.linalg.eigh(f)
c_ops = [np.sqrt(max(l, 0)) * sum(vec[b, mu] * sm[b] for b in range(n)) for mu, l in enumerate(lam) if l > 1e-14]
if W > 0:
    c_ops += [np.sqrt(W) * sp[a] for a in range(n)]
rho = qt.steadystate(H, c_ops)
c = np.array([[qt.expect(sp[a] * sm[b], rho) for b in range(n)] for a in range(n)])
print(json.dumps({"c_re": c.real.flatten().tolist(), "c_im": c.imag.flatten().tolist()}))
