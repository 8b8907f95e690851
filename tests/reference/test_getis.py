"""Getis-Ord Gi / Gi* on areas, points and the hotspot grid, against esda.G_Local."""

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal import weights as lw

from conftest import close, fixture, mc_tolerance, read, run
from test_moran import pysal_weights

CASES = [("columbus", "CRIME", "queen"), ("sids2", "SID74", "queen"), ("stl", "HR8893", "rook"),
         ("georgia", "TotPop90", "knn:5"), ("baltim", "PRICE", "band:25"), ("baltim", "PRICE", "idw:40")]


@pytest.mark.parametrize("name,field,spec", CASES)
@pytest.mark.parametrize("transform", ["b", "r"])
@pytest.mark.parametrize("star", [True, False])
def test_local_g_analytical(name, field, spec, transform, star):
    df = read(f"{name}.geojson")
    w = pysal_weights(df, spec)
    if w.islands:
        pytest.skip("islands")
    g = G_Local(df[field].values, w, transform=transform, permutations=0, star=star)
    args = ["gistar", "--input", fixture(f"{name}.geojson"), "--value", field, "--weights", spec, "--transform", transform]
    if not star:
        args.append("--no-star")
    out = run(*args)
    res = out["results"]
    assert [r["id"] for r in res] == list(range(len(df)))
    close([r["value"] for r in res], df[field].values, rtol=0, what="value")
    close([r["G"] for r in res], g.Gs, what="G")
    close([r["z"] for r in res], g.Zs, what="z")
    close([r["p"] for r in res], g.p_norm, atol=1e-300, what="p")  # scipy flushes p < 1e-308 to 0


@pytest.mark.parametrize("name,field,spec,star", [("columbus", "CRIME", "queen", True), ("sids2", "SID74", "rook", False), ("baltim", "PRICE", "knn:6", True)])
def test_local_g_permutation_p_within_monte_carlo_error(name, field, spec, star):
    df = read(f"{name}.geojson")
    w = pysal_weights(df, spec)
    g = G_Local(df[field].values, w, transform="r", permutations=999, star=star, seed=21, n_jobs=1)
    args = ["gistar", "--input", fixture(f"{name}.geojson"), "--value", field, "--weights", spec, "--transform", "r",
            "--permutations", 999, "--seed", 4]
    if not star:
        args.append("--no-star")
    out = run(*args)
    ours = np.array([r["p_sim"] for r in out["results"]])
    ok = np.abs(ours - g.p_sim) <= mc_tolerance(g.p_sim, 999)
    assert ok.all(), (ours[~ok], g.p_sim[~ok])


def pysal_grid_hotspots(x, y, cell, band):
    """The issue's grid Gi* written with numpy + libpysal + esda."""
    minx, miny = x.min(), y.min()
    cols = int(np.floor((x.max() - minx) / cell)) + 1
    rows = int(np.floor((y.max() - miny) / cell)) + 1
    c = np.floor((x - minx) / cell).astype(int)
    r = np.floor((y - miny) / cell).astype(int)
    counts = np.bincount(r * cols + c, minlength=rows * cols).astype(float)
    cc, rr = np.meshgrid(np.arange(cols), np.arange(rows))
    centres = np.column_stack([minx + (cc.ravel() + 0.5) * cell, miny + (rr.ravel() + 0.5) * cell])
    # relative slack 1e-9 so centres at exactly `band` count despite rounding (docs/ANALYS.md)
    w = lw.DistanceBand(centres, threshold=band * (1 + 1e-9), binary=True, silence_warnings=True)
    g = G_Local(counts, w, transform="B", permutations=0, star=True)
    return (minx, miny, cols, rows), counts, g


@pytest.mark.parametrize("seed,n,cell,band", [(1, 20000, 50.0, 150.0), (2, 5000, 25.0, 60.0), (3, 3000, 100.0, 100.0)])
def test_grid_hotspots_equal_esda(tmp_path, seed, n, cell, band):
    rng = np.random.default_rng(seed)
    # a clustered pattern: background plus three hot blobs, SWEREF-like coordinates
    x = rng.uniform(0, 3000, n) + 674000.0
    y = rng.uniform(0, 2000, n) + 6580000.0
    k = n // 4
    x[:k] = rng.normal(675000.0, 120.0, k)
    y[:k] = rng.normal(6581000.0, 90.0, k)
    path = tmp_path / "points.csv"
    with open(path, "w") as fh:
        fh.write("id,x,y\n")
        for i, (a, b) in enumerate(zip(x, y)):
            fh.write(f"{i},{float(a)!r},{float(b)!r}\n")
    (ox, oy, cols, rows), counts, g = pysal_grid_hotspots(x, y, cell, band)
    out = run("hotspots", "--input", path, "--x", "x", "--y", "y", "--cell", cell, "--band", band)
    grid = out["grid"]
    assert (grid["origin_x"], grid["origin_y"], grid["cell"], grid["cols"], grid["rows"]) == (ox, oy, cell, cols, rows)
    cells = out["cells"]
    assert len(cells) == cols * rows
    assert [(c["col"], c["row"]) for c in cells[: cols + 1]] == [(i % cols, i // cols) for i in range(cols + 1)]
    assert [c["count"] for c in cells] == counts.astype(int).tolist()
    close([c["z"] for c in cells], g.Zs, what="z")
    close([c["p"] for c in cells], g.p_norm, atol=1e-300, what="p")  # scipy flushes p < 1e-308 to 0
