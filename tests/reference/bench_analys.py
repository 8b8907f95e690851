"""Benchmarks of `brygga analys` against PySAL on the same input, in the same run.

Called by scripts/bench-analys; prints a Markdown report. Data is generated with a fixed seed.
Timings are wall-clock, end to end (process start, reading the file, weights, statistic, JSON
output for Brygga; reading the file, weights and statistic for PySAL), median of several runs.
Peak memory is the maximum resident set size of the measured process (/usr/bin/time %M); CPU
time is its user + system time (wait4's rusage).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def timed_process(cmd):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MiB, stdout). Peak RSS is
    /usr/bin/time's %M (a child forked from the small `time` process, so the Python parent's pages
    do not count); CPU time (user + system, microsecond resolution) comes from wait4's rusage of
    the `time` process, which includes its reaped child, and goes to CPU; Brygga's phase timings
    (stderr lines `timing PHASE SECONDS`) go to PHASES."""
    import tempfile

    env = dict(os.environ, BRYGGA_ANALYS_TIMINGS="1")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M"] + cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd}: {stderr}")
    lines = stderr.strip().splitlines()
    rss_kib = int(lines[-1])
    CPU.append(usage.ru_utime + usage.ru_stime)
    for line in lines[:-1]:
        if line.startswith("timing "):
            _, phase, secs = line.split()
            PHASES.setdefault(phase, []).append(float(secs))
    return dt, rss_kib / 1024.0, stdout


PHASES = {}
CPU = []  # user + system seconds of the processes of the current median_run
LAST_CPU = [0.0]  # median CPU seconds of the last median_run


def median_run(cmd, runs):
    CPU.clear()
    results = [timed_process(cmd) for _ in range(runs)]
    LAST_CPU[0] = statistics.median(CPU)
    times = [r[0] for r in results]
    return statistics.median(times), max(r[1] for r in results), results[-1][2], times


def python_job(code, runs):
    """Runs a PySAL job in a fresh interpreter `runs` times; the job prints its own timings."""
    outs = []
    for _ in range(runs):
        dt, rss, out, _ = median_run([sys.executable, "-c", code], 1)
        outs.append((dt, rss, json.loads(out.strip().splitlines()[-1]), LAST_CPU[0]))
    return outs


def gen_points(path, n, seed):
    rng = np.random.default_rng(seed)
    # ≈ 11.8 km × 11.9 km of SWEREF 99 TM: 236 × 238 ≈ 56,000 cells of 50 m
    x0, y0, w, h = 674000.0, 6575000.0, 11790.0, 11890.0
    x = rng.uniform(x0, x0 + w, n)
    y = rng.uniform(y0, y0 + h, n)
    k = n // 3
    centres = rng.uniform([x0 + 1000, y0 + 1000], [x0 + w - 1000, y0 + h - 1000], (30, 2))
    pick = rng.integers(0, 30, k)
    x[:k] = np.clip(centres[pick, 0] + rng.normal(0, 150, k), x0, x0 + w)
    y[:k] = np.clip(centres[pick, 1] + rng.normal(0, 150, k), y0, y0 + h)
    with open(path, "w") as fh:
        fh.write("id,x,y\n")
        np.savetxt(fh, np.column_stack([np.arange(n), x, y]), fmt=["%d", "%.2f", "%.2f"], delimiter=",")


def gen_polygons(path, cols, rows, seed):
    """cols × rows quadrilaterals on jittered shared vertices (valid contiguity), with a smooth
    spatial trend plus noise as the value."""
    rng = np.random.default_rng(seed)
    vx = np.arange(cols + 1)[None, :] * 100.0 + rng.uniform(-30, 30, (rows + 1, cols + 1))
    vy = np.arange(rows + 1)[:, None] * 100.0 + rng.uniform(-30, 30, (rows + 1, cols + 1))
    vx += 600000.0
    vy += 6500000.0
    feats = []
    for r in range(rows):
        for c in range(cols):
            ring = [[vx[r, c], vy[r, c]], [vx[r, c + 1], vy[r, c + 1]], [vx[r + 1, c + 1], vy[r + 1, c + 1]],
                    [vx[r + 1, c], vy[r + 1, c]], [vx[r, c], vy[r, c]]]
            value = np.sin(c / 9.0) + np.cos(r / 7.0) + rng.normal(0, 0.7)
            feats.append({"type": "Feature", "id": len(feats), "properties": {"v": float(value)},
                          "geometry": {"type": "Polygon", "coordinates": [[[float(a), float(b)] for a, b in ring]]}})
    with open(path, "w") as fh:
        json.dump({"type": "FeatureCollection", "features": feats}, fh)


def gen_events(path, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10000, n)
    y = rng.uniform(0, 10000, n)
    t = np.floor(rng.uniform(0, 730, n))
    m = n // 10
    x[-m:] = x[:m] + rng.uniform(-100, 100, m)
    y[-m:] = y[:m] + rng.uniform(-100, 100, m)
    t[-m:] = t[:m] + rng.integers(0, 10, m)
    with open(path, "w") as fh:
        fh.write("x,y,t\n")
        np.savetxt(fh, np.column_stack([x, y, t]), fmt=["%.2f", "%.2f", "%.0f"], delimiter=",")


PY_HOTSPOTS = r"""
import time, json, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import numpy as np, pandas as pd
from libpysal import weights as lw
from esda.getisord import G_Local
df = pd.read_csv({path!r})
x, y = df["x"].to_numpy(), df["y"].to_numpy()
cell, band = {cell}, {band}
minx, miny = x.min(), y.min()
cols = int(np.floor((x.max() - minx) / cell)) + 1
rows = int(np.floor((y.max() - miny) / cell)) + 1
idx = np.floor((y - miny) / cell).astype(int) * cols + np.floor((x - minx) / cell).astype(int)
counts = np.bincount(idx, minlength=rows * cols).astype(float)
cc, rr = np.meshgrid(np.arange(cols), np.arange(rows))
centres = np.column_stack([minx + (cc.ravel() + 0.5) * cell, miny + (rr.ravel() + 0.5) * cell])
t1 = time.perf_counter()
w = lw.DistanceBand(centres, threshold=band * (1 + 1e-9), binary=True, silence_warnings=True)
g = G_Local(counts, w, transform="B", permutations=0, star=True)
t2 = time.perf_counter()
print(json.dumps({{"total": t2 - t0, "compute": t2 - t1, "cells": rows * cols, "z0": float(g.Zs[0])}}))
"""

PY_MORAN = r"""
import time, json, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import numpy as np, geopandas as gpd
from libpysal import weights as lw
from esda.moran import Moran
df = gpd.read_file({path!r})
t1 = time.perf_counter()
w = lw.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
t2 = time.perf_counter()
np.random.seed(1)
m = Moran(df["v"].values, w, transformation="r", permutations=999)
t3 = time.perf_counter()
print(json.dumps({{"total": t3 - t0, "weights_and_moran": t3 - t1, "moran": t3 - t2, "I": float(m.I), "p_sim": float(m.p_sim)}}))
"""

PY_KNOX = r"""
import time, json, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import numpy as np, pandas as pd
from pointpats.spacetime import Knox
df = pd.read_csv({path!r})
s = df[["x", "y"]].to_numpy(); t = df[["t"]].to_numpy()
t1 = time.perf_counter()
np.random.seed(1)
k = Knox(s, t, delta={delta}, tau={tau}, permutations={perms})
t2 = time.perf_counter()
print(json.dumps({{"total": t2 - t0, "knox": t2 - t1, "statistic": int(k.statistic_), "p_sim": float(k.p_sim)}}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--py-runs", type=int, default=3)
    ap.add_argument("--knox-py-runs", type=int, default=1)
    ap.add_argument("--update", help="replace the section '## Analysis engine (issue 4)' of this Markdown file")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    b = args.bin
    rep = []
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    rep.append(f"Load average at start: {open('/proc/loadavg').read().split()[:3]} (other builds on the machine add noise).")
    rep.append(f"Machine: {os.cpu_count()} cores ({cpu}), {round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
               f"{platform.system()} {platform.machine()}; Python {platform.python_version()}; "
               f"Brygga runs: median of {args.runs}; PySAL runs: median of {args.py_runs} (Knox: {args.knox_py_runs}).")
    rep.append("")

    # 1. grid Gi* on 1,000,000 points
    pts = os.path.join(args.work, "points_1m.csv")
    if not os.path.exists(pts):
        gen_points(pts, 1_000_000, 1)
    cmd = [b, "analys", "hotspots", "--input", pts, "--x", "x", "--y", "y", "--cell", "50", "--band", "150"]
    PHASES.clear()
    ours, our_rss, out, times = median_run(cmd, args.runs)
    our_cpu = LAST_CPU[0]
    phases = ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in PHASES.items())
    cells = len(json.loads(out)["cells"])
    py = python_job(PY_HOTSPOTS.format(path=pts, cell=50.0, band=150.0), args.py_runs)
    py_total = statistics.median(p[0] for p in py)
    py_compute = statistics.median(p[2]["compute"] for p in py)
    rep.append("### Grid Gi* hotspots, 1,000,000 points, 50 m cells, 150 m band")
    rep.append(f"Input: {os.path.getsize(pts) / 2**20:.1f} MiB CSV, {cells} cells. Command: `brygga analys hotspots --input points_1m.csv --x x --y y --cell 50 --band 150`")
    rep.append("")
    py_cpu = statistics.median(p[3] for p in py)
    rep.append("| | wall time (s) | CPU time, user + sys (s) | peak RSS (MiB) |")
    rep.append("|---|---|---|---|")
    rep.append(f"| Brygga (end to end, incl. JSON of all cells) | {ours:.3f} (runs: {', '.join(f'{t:.3f}' for t in times)}) | {our_cpu:.3f} | {our_rss:.0f} |")
    rep.append(f"| libpysal + esda (end to end: pandas CSV, binning, DistanceBand, G_Local) | {py_total:.2f} | {py_cpu:.2f} | {max(p[1] for p in py):.0f} |")
    rep.append(f"| libpysal + esda (weights + G_Local only) | {py_compute:.2f} | | |")
    rep.append(f"| **ratio (end to end)** | **{py_total / ours:.0f}×** (wall) | {py_cpu / our_cpu:.0f}× (CPU) | |")
    rep.append(f"| ratio (statistic only: Brygga binning + grid Gi* vs DistanceBand + G_Local) | {py_compute / statistics.median(PHASES['statistic']):.0f}× | | |")
    rep.append("")
    rep.append(f"Brygga phases (median): {phases}.")
    rep.append("")

    # memory linearity of the hotspot command
    rep.append("Peak memory of `hotspots` against input size (same extent, so the grid is fixed):")
    rep.append("")
    rep.append("| points | CSV (MiB) | wall time (s) | peak RSS (MiB) |")
    rep.append("|---|---|---|---|")
    for n in [250_000, 500_000, 1_000_000, 2_000_000]:
        p = os.path.join(args.work, f"points_{n}.csv") if n != 1_000_000 else pts
        if not os.path.exists(p):
            gen_points(p, n, 1)
        t, rss, _, _ = median_run([b, "analys", "hotspots", "--input", p, "--x", "x", "--y", "y", "--cell", "50", "--band", "150"], 3)
        rep.append(f"| {n:,} | {os.path.getsize(p) / 2**20:.1f} | {t:.3f} | {rss:.0f} |")
    rep.append("")

    # 2. Moran with 999 permutations on 3,000 polygons
    polys = os.path.join(args.work, "polygons_3000.geojson")
    if not os.path.exists(polys):
        gen_polygons(polys, 60, 50, 2)
    cmd = [b, "analys", "moran", "--input", polys, "--value", "v", "--weights", "queen", "--permutations", "999", "--seed", "1"]
    PHASES.clear()
    ours, our_rss, out, times = median_run(cmd, args.runs)
    our_cpu = LAST_CPU[0]
    our_stat = statistics.median(PHASES["statistic"])
    our_wstat = statistics.median(a + b2 for a, b2 in zip(PHASES["weights"], PHASES["statistic"]))
    our_out = json.loads(out)
    py = python_job(PY_MORAN.format(path=polys), args.py_runs)
    py_total = statistics.median(p[0] for p in py)
    py_wm = statistics.median(p[2]["weights_and_moran"] for p in py)
    py_m = statistics.median(p[2]["moran"] for p in py)
    assert abs(our_out["I"] - py[0][2]["I"]) <= 1e-9 * abs(py[0][2]["I"])
    rep.append("### Moran's I, 999 permutations, 3,000 polygons (queen, row-standardised)")
    rep.append(f"Input: {os.path.getsize(polys) / 2**20:.1f} MiB GeoJSON. Command: `brygga analys moran --input polygons_3000.geojson --value v --weights queen --permutations 999 --seed 1`. "
               f"I = {our_out['I']:.6f} (esda {py[0][2]['I']:.6f}), p_sim {our_out['p_sim']} (esda {py[0][2]['p_sim']}).")
    rep.append("")
    py_cpu = statistics.median(p[3] for p in py)
    rep.append("| | wall time (s) | CPU time, user + sys (s) | peak RSS (MiB) |")
    rep.append("|---|---|---|---|")
    rep.append(f"| Brygga (end to end) | {ours:.3f} (runs: {', '.join(f'{t:.3f}' for t in times)}) | {our_cpu:.3f} | {our_rss:.0f} |")
    rep.append(f"| geopandas + libpysal + esda (end to end) | {py_total:.2f} | {py_cpu:.2f} | {max(p[1] for p in py):.0f} |")
    rep.append(f"| libpysal Queen + esda Moran (after reading) | {py_wm:.3f} | | |")
    rep.append(f"| esda Moran only (weights given) | {py_m:.3f} | | |")
    rep.append(f"| Brygga queen weights + Moran (phase timings) | {our_wstat:.4f} | | |")
    rep.append(f"| Brygga Moran only (weights given, phase timing) | {our_stat:.4f} | | |")
    rep.append(f"| **ratio (end to end)** | **{py_total / ours:.0f}×** (wall) | {py_cpu / our_cpu:.0f}× (CPU) | |")
    rep.append(f"| ratio (weights + Moran, both after reading the file) | {py_wm / our_wstat:.0f}× | | |")
    rep.append(f"| ratio (Moran only, weights given) | {py_m / our_stat:.0f}× | | |")
    rep.append("")

    # 3. Knox with 999 permutations on 10,000 events
    ev = os.path.join(args.work, "events_10k.csv")
    if not os.path.exists(ev):
        gen_events(ev, 10_000, 3)
    cmd = [b, "analys", "knox", "--input", ev, "--x", "x", "--y", "y", "--t", "t", "--delta", "200", "--tau", "14", "--permutations", "999", "--seed", "1"]
    PHASES.clear()
    ours, our_rss, out, times = median_run(cmd, args.runs)
    our_cpu = LAST_CPU[0]
    knox_stat = statistics.median(PHASES["statistic"])
    our_out = json.loads(out)
    py = python_job(PY_KNOX.format(path=ev, delta=200, tau=14, perms=999), args.knox_py_runs)
    py_total = statistics.median(p[0] for p in py)
    assert our_out["statistic"] == py[0][2]["statistic"]
    rep.append("### Knox test, 999 permutations, 10,000 events (δ = 200 m, τ = 14 days)")
    rep.append(f"Command: `brygga analys knox --input events_10k.csv --delta 200 --tau 14 --permutations 999 --seed 1`. "
               f"Statistic {our_out['statistic']} (pointpats {py[0][2]['statistic']}), {our_out['spatial_pairs']} spatial pairs; p_sim {our_out['p_sim']} (pointpats {py[0][2]['p_sim']}).")
    rep.append("")
    py_cpu = statistics.median(p[3] for p in py)
    rep.append("| | wall time (s) | CPU time, user + sys (s) | peak RSS (MiB) |")
    rep.append("|---|---|---|---|")
    rep.append(f"| Brygga (end to end) | {ours:.3f} (runs: {', '.join(f'{t:.3f}' for t in times)}) | {our_cpu:.3f} | {our_rss:.0f} |")
    rep.append(f"| pointpats Knox (end to end) | {py_total:.1f} | {py_cpu:.1f} | {max(p[1] for p in py):.0f} |")
    rep.append(f"| pointpats Knox call only | {statistics.median(p[2]['knox'] for p in py):.1f} | | |")
    rep.append(f"| Brygga Knox only (phase timing) | {knox_stat:.4f} | | |")
    rep.append(f"| **ratio (end to end)** | **{py_total / ours:.0f}×** (wall) | {py_cpu / our_cpu:.0f}× (CPU) | |")
    rep.append("")

    # 4. trend detector simulation
    rep.append("### Trend detector: simulated false alarms and detection of a doubling")
    for size, label in [(0.0, "Poisson counts"), (10.0, "negative binomial counts (size 10)")]:
        t0 = time.perf_counter()
        sim = json.loads(sh([b, "analys", "trend-sim", "--series", "2000", "--seed", "2024", "--size", str(size)]))
        dt = time.perf_counter() - t0
        rep.append("")
        rep.append(f"{label}, seasonal amplitude 30 %, baseline 8 recent weeks + last year's ±3 weeks, 2,000 series per level, "
                   f"FDR/level 0.05 (`brygga analys trend-sim --series 2000 --seed 2024 --size {size:g}`, {dt:.1f} s):")
        rep.append("")
        rep.append("| mean/week | false alarms per stable week (one cell) | weeks with ≥ 1 false flag among 50 cells (BH) | doubling caught in week 1 | within 4 weeks | median weeks to flag |")
        rep.append("|---|---|---|---|---|---|")
        for r in sim["rows"]:
            med = r["median_weeks_to_detection"]
            rep.append(f"| {r['base_mean']:g} | {100 * r['false_alarm_rate']:.2f} % | {100 * r['weeks_with_false_flag_bh']:.1f} % | "
                       f"{100 * r['detected_first_week']:.0f} % | {100 * r['detected_within_4_weeks']:.0f} % | {med if med is not None else '> 8'} |")
    rep.append("")
    rep.append(f"Load average at the end: {open('/proc/loadavg').read().split()[:3]}.")
    report = "\n".join(rep)
    print(report)
    if args.update:
        update_section(args.update, report)


SECTION = "## Analysis engine (issue 4)"

INTRO = """Command: `scripts/bench-analys --update BENCHMARKS.md` (release build; generates the inputs with
fixed seeds under `target/bench-analys/`; times Brygga and PySAL — libpysal 4.14.1, esda 2.9.0,
pointpats 2.5.5 — on the same files in the same run; prints the report and writes it here).
Wall times are end to end: process start, reading the file, weights, statistic and (Brygga) the
JSON of every result; the PySAL rows do the same work in a fresh interpreter, imports included.
CPU time is user + system time of the process; it is less disturbed than wall time by the other
builds that share this 2-core machine (the load average is printed). Phase timings come from
`BRYGGA_ANALYS_TIMINGS=1`. Peak memory is the maximum resident set size. Brygga uses both cores
(rayon); its results are byte-identical on one thread.
"""


def update_section(path, report):
    import re

    def grab(pattern):
        m = re.search(pattern, report, re.S)
        return m.group(1) if m else "?"

    hs = grab(r"### Grid Gi\*.*?\*\*ratio \(end to end\)\*\* \| \*\*(\d+×)\*\*")
    hs_cpu = grab(r"### Grid Gi\*.*?\*\*ratio \(end to end\)\*\*[^\n]*?(\d+×) \(CPU\)")
    hs_time = grab(r"Brygga \(end to end, incl\. JSON of all cells\) \| ([0-9.]+)")
    mo = grab(r"### Moran.*?\*\*ratio \(end to end\)\*\* \| \*\*(\d+×)\*\*")
    mo_cpu = grab(r"### Moran.*?\*\*ratio \(end to end\)\*\*[^\n]*?(\d+×) \(CPU\)")
    mo_wm = grab(r"ratio \(weights \+ Moran, both after reading the file\) \| (\d+×)")
    mo_m = grab(r"ratio \(Moran only, weights given\) \| (\d+×)")
    kn = grab(r"### Knox.*?\*\*ratio \(end to end\)\*\* \| \*\*(\d+×)\*\*")
    kn_cpu = grab(r"### Knox.*?\*\*ratio \(end to end\)\*\*[^\n]*?(\d+×) \(CPU\)")
    targets = f"""Targets from issue 4 and where they stand (this run):

| target | result |
|---|---|
| grid Gi* on 1,000,000 points: ≥ 50× libpysal + esda, < 0.5 s | {hs} wall ({hs_cpu} CPU) end to end; {hs_time} s |
| Moran's I, 999 permutations, 3,000 polygons: ≥ 20× esda | {mo} wall ({mo_cpu} CPU) end to end; {mo_wm} for weights + Moran after reading the file; {mo_m} for the Moran call alone with the weights given — **below 20× on that narrowest comparison** |
| Knox, 999 permutations, 10,000 events: ≥ 20× pointpats | {kn} wall ({kn_cpu} CPU) |
| peak memory linear in the input | yes, ≈ 60 bytes per point for `hotspots` (table below); Moran and Knox stay under 20 MiB |

"""
    text = open(path).read()
    start = text.index(SECTION)
    nxt = text.find("\n## ", start + len(SECTION))
    body = f"{SECTION}\n\n{INTRO}\n{targets}{report}\n"
    text = text[:start] + body + (text[nxt + 1:] if nxt != -1 else "")
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
