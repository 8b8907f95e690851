"""Global and local Moran's I against esda on libpysal's example data and generated data."""

import numpy as np
import pytest
from esda.moran import Moran, Moran_Local
from libpysal import weights as lw

from conftest import RTOL, close, fixture, mc_tolerance, read, run

CASES = [
    ("columbus", "CRIME"),
    ("columbus", "HOVAL"),
    ("sids2", "SIDR74"),
    ("stl", "HR8893"),
    ("mexico", "PCGDP1940"),
    ("georgia", "PctBach"),
    ("us48", "AREA"),
]


def pysal_weights(df, spec):
    if spec == "queen":
        return lw.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
    if spec == "rook":
        return lw.Rook.from_dataframe(df, use_index=False, silence_warnings=True)
    kind, arg = spec.split(":")
    pts = np.column_stack([df.geometry.centroid.x, df.geometry.centroid.y])
    if kind == "knn":
        return lw.KNN(pts, k=int(arg), silence_warnings=True)
    if kind == "band":
        return lw.DistanceBand(pts, threshold=float(arg), binary=True, silence_warnings=True)
    if kind == "idw":
        return lw.DistanceBand(pts, threshold=float(arg), binary=False, alpha=-1.0, silence_warnings=True)
    raise ValueError(spec)


ANALYTIC = [("I", "I"), ("expected", "EI"), ("variance_norm", "VI_norm"), ("z_norm", "z_norm"), ("p_norm", "p_norm"),
            ("variance_rand", "VI_rand"), ("z_rand", "z_rand"), ("p_rand", "p_rand")]


@pytest.mark.parametrize("name,field", CASES)
@pytest.mark.parametrize("spec", ["queen", "rook", "knn:4"])
@pytest.mark.parametrize("transform", ["r", "b"])
def test_global_moran_analytical(name, field, spec, transform):
    df = read(f"{name}.geojson")
    w = pysal_weights(df, spec)
    if w.islands and transform == "r":
        pytest.skip("esda's row standardisation of islands is undefined")
    m = Moran(df[field].values, w, transformation=transform, permutations=0)
    out = run("moran", "--input", fixture(f"{name}.geojson"), "--value", field, "--weights", spec,
              "--transform", transform, "--permutations", 0)
    for ours, theirs in ANALYTIC:
        close(out[ours], getattr(m, theirs), what=f"{ours} {name}/{field}/{spec}/{transform}")


@pytest.mark.parametrize("name,field,spec", [("columbus", "CRIME", "queen"), ("sids2", "SIDR74", "rook"), ("stl", "HR8893", "knn:6"), ("georgia", "PctPov", "queen")])
def test_global_moran_permutation_p_within_monte_carlo_error(name, field, spec):
    df = read(f"{name}.geojson")
    w = pysal_weights(df, spec)
    np.random.seed(12345)
    m = Moran(df[field].values, w, transformation="r", permutations=999)
    out = run("moran", "--input", fixture(f"{name}.geojson"), "--value", field, "--weights", spec,
              "--permutations", 999, "--seed", 7)
    assert abs(out["p_sim"] - m.p_sim) <= mc_tolerance(m.p_sim, 999), (out["p_sim"], m.p_sim)
    # the permutation distribution's moments agree within Monte Carlo error too
    assert abs(out["EI_sim"] - m.EI_sim) <= 5 * m.seI_sim / np.sqrt(999)
    assert abs(out["seI_sim"] / m.seI_sim - 1) < 0.15


def test_global_moran_on_generated_points_with_distance_weights(tmp_path):
    rng = np.random.default_rng(4)
    n = 600
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 3000, n)
    v = np.sin(x / 700) + np.cos(y / 500) + rng.normal(0, 0.5, n)
    path = tmp_path / "pts.csv"
    with open(path, "w") as fh:
        fh.write("x,y,v\n")
        for a, b, c in zip(x, y, v):
            fh.write(f"{float(a)!r},{float(b)!r},{float(c)!r}\n")
    pts = np.column_stack([x, y])
    for spec, w in [("band:400", lw.DistanceBand(pts, 400.0, binary=True, silence_warnings=True)),
                    ("idw:600", lw.DistanceBand(pts, 600.0, binary=False, alpha=-1.0, silence_warnings=True)),
                    ("knn:8", lw.KNN(pts, k=8))]:
        for transform in ["r", "b"]:
            if w.islands and transform == "r":
                continue
            m = Moran(v, w, transformation=transform, permutations=0)
            out = run("moran", "--input", path, "--x", "x", "--y", "y", "--value", "v", "--weights", spec,
                      "--transform", transform, "--permutations", 0)
            for ours, theirs in ANALYTIC:
                close(out[ours], getattr(m, theirs), what=f"{ours} {spec}/{transform}")


@pytest.mark.parametrize("name,field,spec", [("columbus", "CRIME", "queen"), ("sids2", "SIDR79", "queen"), ("georgia", "PctBach", "rook"), ("stl", "HR8893", "knn:5")])
@pytest.mark.parametrize("transform", ["r", "b"])
def test_local_moran(name, field, spec, transform):
    df = read(f"{name}.geojson")
    w = pysal_weights(df, spec)
    lm = Moran_Local(df[field].values, w, transformation=transform, permutations=999, seed=11)
    out = run("lisa", "--input", fixture(f"{name}.geojson"), "--value", field, "--weights", spec,
              "--transform", transform, "--permutations", 999, "--seed", 3)
    res = out["results"]
    close([r["I"] for r in res], lm.Is, what="Is")
    close([r["expected"] for r in res], lm.EI, what="EI")
    close([r["variance"] for r in res], lm.VI, what="VI")
    names = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert [r["quadrant"] for r in res] == [names[q] for q in lm.q]
    ours = np.array([r["p_sim"] for r in res])
    ok = np.abs(ours - lm.p_sim) <= mc_tolerance(lm.p_sim, 999)
    assert ok.all(), (ours[~ok], lm.p_sim[~ok])


def test_moran_is_invariant_to_shift_and_scale(tmp_path):
    """Property check through the CLI: I and its z-scores do not change under y -> a*y + b (a > 0)."""
    df = read("columbus.geojson")
    base = run("moran", "--input", fixture("columbus.geojson"), "--value", "CRIME", "--permutations", 99, "--seed", 5)
    df["SHIFTED"] = df["CRIME"] * 3.7 + 1000.0
    path = tmp_path / "shifted.geojson"
    df.to_file(path, driver="GeoJSON")
    out = run("moran", "--input", path, "--value", "SHIFTED", "--permutations", 99, "--seed", 5)
    for key in ["I", "z_norm", "z_rand", "p_norm"]:
        close(out[key], base[key], rtol=1e-9, what=key)
    assert out["p_sim"] == base["p_sim"]
    assert RTOL == 1e-9


@pytest.mark.parametrize("transform", ["r", "b"])
def test_moran_with_islands(tmp_path, transform):
    """A distance band that leaves some points without neighbours: islands are reported and the
    statistics still equal esda's (island rows stay zero, as in libpysal)."""
    rng = np.random.default_rng(8)
    n = 300
    x, y = rng.uniform(0, 4000, n), rng.uniform(0, 4000, n)
    v = x / 1000 + rng.normal(0, 1, n)
    path = tmp_path / "islands.csv"
    with open(path, "w") as fh:
        fh.write("x,y,v\n")
        for a, b, c in zip(x, y, v):
            fh.write(f"{float(a)!r},{float(b)!r},{float(c)!r}\n")
    w = lw.DistanceBand(np.column_stack([x, y]), 180.0, binary=True, silence_warnings=True)
    assert len(w.islands) > 0
    m = Moran(v, w, transformation=transform, permutations=0)
    out = run("moran", "--input", path, "--x", "x", "--y", "y", "--value", "v", "--weights", "band:180",
              "--transform", transform, "--permutations", 0)
    assert sorted(out["islands"]) == sorted(w.islands)
    for ours, theirs in ANALYTIC:
        close(out[ours], getattr(m, theirs), what=f"{ours} islands/{transform}")
    lm = Moran_Local(v, w, transformation=transform, permutations=0)
    res = run("lisa", "--input", path, "--x", "x", "--y", "y", "--value", "v", "--weights", "band:180",
              "--transform", transform, "--permutations", 0)["results"]
    close([r["I"] for r in res], lm.Is, what="Is")
    close([r["expected"] for r in res], lm.EI, what="EI")
    close([r["variance"] for r in res], lm.VI, what="VI")
