"""Steady state of the collective model with QuTiP's PIQS (the fastest correct path: the PIQS
Liouvillian in the Dicke basis, then qutip.steadystate with method="eigen"; the default "direct" solver reports a singular matrix for it in QuTiP 5).
Usage: python3 dicke_piqs.py N FEFF W  -> prints key: value lines."""
import sys, time, resource
import numpy as np
import qutip
from qutip import piqs

n, feff, w = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
t0 = time.time()
system = piqs.Dicke(N=n, emission=1.0 - feff / n, pumping=w, collective_emission=feff / n)
liouv = system.liouvillian()
rho = qutip.steadystate(liouv, method="eigen")  # "direct" reports a singular matrix here (QuTiP 5)
jz = piqs.jspin(n, "z"); jp = piqs.jspin(n, "+"); jm = piqs.jspin(n, "-")
ez = qutip.expect(jz, rho); epm = qutip.expect(jp * jm, rho)
t = time.time() - t0
print("N:", n)
print("ZQ2:", (epm - ez - n / 2) / (n * (n - 1)))
print("inversion:", ez / n)
print("seconds:", t)
print("peak-bytes:", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
