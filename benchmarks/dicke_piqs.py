"""Steady state of the collective model with QuTiP's PIQS, on its fastest path that gives a correct
answer: the PIQS Liouvillian in the Dicke basis, then one sparse direct solve (scipy's SuperLU) of
L rho = 0 with one equation replaced by Tr rho = 1. (qutip.steadystate's "direct" method reports a
singular matrix for the PIQS Liouvillian in QuTiP 5, and its "eigen" method takes minutes at N = 30.)
Usage: python3 dicke_piqs.py N FEFF W  -> prints key: value lines."""
import sys, time, resource
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import qutip
from qutip import piqs

n, feff, w = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
t0 = time.time()
system = piqs.Dicke(N=n, emission=1.0 - feff / n, pumping=w, collective_emission=feff / n)
liouv = system.liouvillian()
A = liouv.data.as_scipy().tocsr().astype(complex)
dim = int(round(np.sqrt(A.shape[0])))
trace = sp.csr_matrix((np.ones(dim), (np.zeros(dim, dtype=int), np.arange(dim) * (dim + 1))), shape=(1, A.shape[0]))
# PIQS stores the density matrix on the full Dicke-basis square; the Liouvillian leaves the entries
# between different j blocks untouched (zero rows and columns). Solve on the coupled entries only.
keep = np.flatnonzero((np.diff(A.indptr) > 0) | (np.asarray(abs(A).sum(axis=0)).ravel() > 0))
Ak = A[keep][:, keep]
tk = trace[:, keep]
M = sp.vstack([tk, Ak[1:]]).tocsc()
b = np.zeros(len(keep), dtype=complex); b[0] = 1
xk = spla.spsolve(M, b)
x = np.zeros(A.shape[0], dtype=complex); x[keep] = xk
rho = qutip.Qobj(x.reshape((dim, dim), order="F"), dims=[[dim], [dim]])
jz = piqs.jspin(n, "z"); jp = piqs.jspin(n, "+"); jm = piqs.jspin(n, "-")
ez = qutip.expect(jz, rho); epm = qutip.expect(jp * jm, rho)
t = time.time() - t0
print("N:", n)
print("ZQ2:", (epm - ez - n / 2) / (n * (n - 1)))
print("inversion:", ez / n)
print("residual:", np.abs(A @ x).max())
print("seconds:", t)
print("peak-bytes:", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
