#!/usr/bin/env python3
"""`dipolesync plan`'s cost estimates next to measured runs (the "honest estimates" check of
docs/architecture.md): for each spec, the plan's estimate of the points run, the measured wall
time, the CPU seconds of the run (user + system of the child, from getrusage(RUSAGE_CHILDREN)
deltas) and the ratio cpu/estimate. The estimates count work (CostEstimate.seconds: flops at
2·10⁹ flop/s), which the CPU time measures whatever else shares the machine; wall time shrinks with
cores and grows with load. A ratio outside [1/3, 3] is flagged. (Since 2026-12-03 the
quantum-state-diffusion estimate counts every trajectory too, not ⌈trajectories/cores⌉.)

Usage: benchmarks/plan-estimates.sh [--points P] [--budget SECONDS] [SPEC ...]
  --points P       run at most about P points of a sweep (the shard of ceil(points/P) that holds
                   the point of largest estimate); default 2
  --budget SECONDS skip a spec whose estimate for those points exceeds this (it is listed with
                   its estimate only); default 900. The estimate decides what runs, so an estimate
                   far too low shows up as a long run, which is the point of the check.
Runs on every core (`--threads` default), as `plan` assumes.
"""
import json, math, os, resource, subprocess, sys, tempfile, time

def child_cpu():
    """CPU seconds (user + system) of every waited-for child so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def main():
    args = sys.argv[1:]
    points_per_spec, budget, specs = 2, 900.0, []
    while args:
        a = args.pop(0)
        if a == "--points": points_per_spec = int(args.pop(0))
        elif a == "--budget": budget = float(args.pop(0))
        else: specs.append(a)
    binary = os.environ["DIPOLESYNC"]
    if not specs:
        specs = sorted(os.path.join("specs", f) for f in os.listdir("specs") if f.endswith(".yaml"))
    print(f"{'spec':44s} {'points':>9s} {'method':28s} {'estimate':>10s} {'measured':>10s} {'cpu':>10s} {'ratio':>7s}")
    flagged = 0
    for spec in specs:
        plan = json.loads(subprocess.run([binary, "plan", spec, "--format", "json"], check=True,
                                         capture_output=True, text=True).stdout)
        pts = plan["points"]
        # Trajectory points split into units under --shard: run them whole.
        trajectories = any("trajector" in (p.get("method") or "") for p in pts)
        shards = 1 if trajectories else max(1, math.ceil(len(pts) / points_per_spec))
        # The shard that holds the point of largest estimate: the costly end of a sweep (where a cost
        # model is most often off) is always measured.
        cost = lambda p: p["estimate"]["flops"] + p["estimate"].get("observableFlops", 0)
        shard = max(pts, key=cost)["index"] % shards
        chosen = [p for p in pts if p["index"] % shards == shard]
        estimate = sum(p["estimate"]["flops"] + p["estimate"].get("observableFlops", 0) for p in chosen) / 2e9
        method = ",".join(sorted({p.get("method") or p["backend"] for p in chosen}))[:28]
        name = os.path.basename(spec)[:-5]
        label = f"{len(chosen)}/{len(pts)}"
        if estimate > budget:
            print(f"{name:44s} {label:>9s} {method:28s} {estimate:10.1f} {'skipped':>10s} {'':>10s} {'':>7s}", flush=True)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "bundle")
            cmd = [binary, "run", spec, "--quiet", "--out", out]
            if shards > 1: cmd += ["--shard", f"{shard + 1}/{shards}"]
            start, cpu0 = time.monotonic(), child_cpu()
            r = subprocess.run(cmd, capture_output=True, text=True)
            measured = time.monotonic() - start
            cpu = child_cpu() - cpu0
        if r.returncode != 0:
            print(f"{name:44s} {label:>9s} {method:28s} {estimate:10.1f} {'failed':>10s}  {r.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        ratio = cpu / max(estimate, 1e-9)
        flag = "" if 1 / 3 <= ratio <= 3 or max(cpu, estimate) < 1 else "  <-- outside 3x"
        flagged += bool(flag)
        print(f"{name:44s} {label:>9s} {method:28s} {estimate:10.1f} {measured:10.1f} {cpu:10.1f} {ratio:7.2f}{flag}", flush=True)
    print(f"{flagged} spec(s) outside a factor 3 on CPU time (runs whose estimate and CPU time are both under 1 s are not judged)")

main()
