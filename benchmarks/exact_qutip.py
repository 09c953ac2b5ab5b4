# QuTiP side of benchmarks/exact.sh: full-Liouvillian steady state (qutip.steadystate, direct
# sparse LU) of a dipolar chain at the magic angle, same model as `dipolesync-bench exact steady N`.
# Usage: python3 exact_qutip.py N [spacing] ; prints `key: value` lines.
import sys, time, resource
import numpy as np
import qutip as qt

n = int(sys.argv[1])
spacing = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
theta = np.arccos(1 / np.sqrt(3))
d = np.array([np.cos(theta), 0, np.sin(theta)])
pos = np.array([[a * spacing, 0, 0] for a in range(n)])
f = np.eye(n); g = np.zeros((n, n))
for a in range(n):
    for b in range(a + 1, n):
        r = pos[b] - pos[a]; dist = np.linalg.norm(r); c = d @ r / dist
        z = 2 * np.pi * dist; s2 = 1 - c * c; p = 3 * c * c - 1
        f[a, b] = f[b, a] = 1.5 * (s2 * np.sin(z) / z + p * (np.sin(z) / z**3 - np.cos(z) / z**2))
        g[a, b] = g[b, a] = -1.5 * (s2 * np.cos(z) / z + p * (np.cos(z) / z**3 + np.sin(z) / z**2))
feff = (f.sum() - np.trace(f)) / (n - 1)
W = max(1.0, feff / 2)
t0 = time.time()
def op(single, a):
    ops = [qt.qeye(2)] * n; ops[a] = single
    return qt.tensor(ops)
sm = [op(qt.destroy(2), a) for a in range(n)]
sp = [s.dag() for s in sm]
H = 0 * sp[0] * sm[0]
for a in range(n):
    for b in range(n):
        if a != b:
            H += 0.5 * g[a, b] * sp[a] * sm[b]
lam, vec = np.linalg.eigh(f)
c_ops = [np.sqrt(max(l, 0)) * sum(vec[b, mu] * sm[b] for b in range(n)) for mu, l in enumerate(lam) if l > 1e-14]
c_ops += [np.sqrt(W) * sp[a] for a in range(n)]
rho = qt.steadystate(H, c_ops)
zq2 = np.mean([qt.expect(sp[a] * sm[b], rho).real for a in range(n) for b in range(n) if a != b])
t1 = time.time()
print(f"qutip_seconds: {t1 - t0}")
print(f"qutip_ZQ2: {zq2}")
print(f"qutip_peak_rss_bytes: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}")
