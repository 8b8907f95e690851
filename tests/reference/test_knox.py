"""Knox test against pointpats on the Burkitt lymphoma data (shipped with libpysal) and generated events."""

import csv

import numpy as np
import pytest
from pointpats.spacetime import Knox

from conftest import close, fixture, mc_tolerance, run


def burkitt():
    with open(fixture("burkitt.csv")) as fh:
        rows = list(csv.DictReader(fh))
    s = np.array([[float(r["x"]), float(r["y"])] for r in rows])
    t = np.array([[float(r["t"])] for r in rows])
    return s, t


@pytest.mark.parametrize("delta,tau", [(20, 5), (20, 60), (10, 30), (50, 180), (5, 1)])
def test_knox_burkitt(delta, tau):
    s, t = burkitt()
    np.random.seed(1)
    k = Knox(s, t, delta=delta, tau=tau, permutations=999)
    out = run("knox", "--input", fixture("burkitt.csv"), "--x", "x", "--y", "y", "--t", "t",
              "--delta", delta, "--tau", tau, "--permutations", 999, "--seed", 2)
    assert out["statistic"] == k.statistic_
    close(out["expected"], k.expected[0, 0], what="expected")
    close(out["p_poisson"], k.p_poisson, rtol=1e-9, atol=1e-14, what="p_poisson")
    assert out["spatial_pairs"] == k.observed[0].sum()
    assert out["temporal_pairs"] == k.observed[0, 0] + k.observed[1, 0]
    assert abs(out["p_sim"] - k.p_sim) <= mc_tolerance(k.p_sim, 999), (out["p_sim"], k.p_sim)


def test_knox_generated_with_near_repeats(tmp_path):
    rng = np.random.default_rng(9)
    n = 800
    s = rng.uniform(0, 5000, (n, 2))
    t = np.floor(rng.uniform(0, 365, n))
    # 80 near repeats: within 30 m and 3 days of an earlier event
    s[-80:] = s[:80] + rng.uniform(-20, 20, (80, 2))
    t[-80:] = t[:80] + rng.integers(0, 4, 80)
    path = tmp_path / "events.csv"
    with open(path, "w") as fh:
        fh.write("x;y;t\n")  # semicolon-separated, as Swedish spreadsheets write
        for (a, b), c in zip(s, t):
            fh.write(f"{float(a)!r};{float(b)!r};{float(c)!r}\n")
    np.random.seed(3)
    k = Knox(s, t.reshape(-1, 1), delta=50, tau=7, permutations=199)
    out = run("knox", "--input", path, "--x", "x", "--y", "y", "--t", "t", "--delta", 50, "--tau", 7,
              "--permutations", 199, "--seed", 1)
    assert out["statistic"] == k.statistic_
    close(out["expected"], k.expected[0, 0], what="expected")
    assert out["p_sim"] == pytest.approx(1 / 200) and k.p_sim == pytest.approx(1 / 200)


def test_near_repeat_table_is_consistent_with_knox():
    out = run("nearrepeat", "--input", fixture("burkitt.csv"), "--x", "x", "--y", "y", "--t", "t",
              "--distances", "10,20,50", "--times", "30,60", "--permutations", 199, "--seed", 5)
    s, t = burkitt()
    n = len(s)
    cells = out["cells"]
    assert len(cells) == 4 * 3
    assert sum(c["observed"] for c in cells) == n * (n - 1) // 2
    # cumulative cells equal the Knox counts for the same thresholds
    for di, delta in enumerate([10, 20, 50]):
        for ti, tau in enumerate([30, 60]):
            k = Knox(s, t, delta=delta, tau=tau, permutations=0)
            got = sum(c["observed"] for c in cells if c["distance_band"] <= di and c["time_band"] <= ti)
            assert got == k.statistic_, (delta, tau)
    # brute force for one band cell: (10, 20] × (30, 60]
    d = np.hypot(*(s[:, None, :] - s[None, :, :]).transpose(2, 0, 1))
    dt = np.abs(t[:, 0][:, None] - t[:, 0][None, :])
    iu = np.triu_indices(n, 1)
    mask = (d[iu] > 10) & (d[iu] <= 20) & (dt[iu] > 30) & (dt[iu] <= 60)
    cell = next(c for c in cells if c["distance_band"] == 1 and c["time_band"] == 1)
    assert cell["observed"] == int(mask.sum())
