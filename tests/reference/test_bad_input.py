"""Bad input gives a clear Swedish error (exit code 2) or a documented result, never a panic."""

import json

import pytest

from conftest import fixture, run


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def err(*args):
    proc = run(*args, expect_ok=False)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stderr.startswith("fel: "), proc.stderr
    assert proc.stdout == ""
    return proc.stderr


def test_empty_files(tmp_path):
    assert "inga rader" in err("hotspots", "--input", write(tmp_path, "e.csv", ""), "--cell", 10, "--band", 20)
    assert "inga rader" in err("hotspots", "--input", write(tmp_path, "h.csv", "x,y\n"), "--cell", 10, "--band", 20)
    assert "GeoJSON" in err("moran", "--input", write(tmp_path, "e.geojson", ""), "--value", "v")
    empty = json.dumps({"type": "FeatureCollection", "features": []})
    assert "inga rader" in err("moran", "--input", write(tmp_path, "f.geojson", empty), "--value", "v")


def test_one_area_and_zero_variance(tmp_path):
    one = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"v": 1},
           "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    msg = err("moran", "--input", write(tmp_path, "one.geojson", json.dumps(one)), "--value", "v")
    assert "inga grannar" in msg or "för få" in msg
    pts = "x,y,v\n" + "".join(f"{i},{i % 3},5\n" for i in range(10))
    assert "variansen är noll" in err("moran", "--input", write(tmp_path, "c.csv", pts), "--x", "x", "--y", "y",
                                      "--value", "v", "--weights", "knn:2")
    # two cells with one point each: every cell has the same count
    assert "variansen är noll" in err("hotspots", "--input", write(tmp_path, "same.csv", "x,y\n0,0\n2,0\n"),
                                      "--cell", 2, "--band", 1)
    assert "för få" in err("hotspots", "--input", write(tmp_path, "onecell.csv", "x,y\n5,5\n5,5\n"), "--cell", 2, "--band", 1)


def test_missing_and_non_numeric_values(tmp_path):
    assert "saknar värde på rad 3" in err("moran", "--input", write(tmp_path, "m.csv", "x,y,v\n0,0,1\n1,1,\n2,2,3\n"),
                                          "--x", "x", "--y", "y", "--value", "v", "--weights", "knn:1")
    assert "är inte ett tal" in err("moran", "--input", write(tmp_path, "n.csv", "x,y,v\n0,0,1\n1,1,NaN\n2,2,3\n"),
                                    "--x", "x", "--y", "y", "--value", "v", "--weights", "knn:1")
    assert "«v» på rad 2 är inte ett tal: «många»" in err(
        "moran", "--input", write(tmp_path, "t.csv", "x,y,v\n0,0,många\n"), "--x", "x", "--y", "y", "--value", "v")
    assert "finns inte; tillgängliga fält" in err("moran", "--input", fixture("columbus.geojson"), "--value", "NOPE")
    assert "är inte ett tal" in err("moran", "--input", fixture("burkitt.csv"), "--x", "x", "--y", "y",
                                    "--value", "id", "--weights", "band:abc")


def test_duplicated_points_are_a_documented_result(tmp_path):
    rows = "x,y,t\n" + "".join(f"{i % 5},{i % 5},{i}\n" for i in range(20))
    out = run("knox", "--input", write(tmp_path, "d.csv", rows), "--delta", 0, "--tau", 5, "--permutations", 9)
    # 5 locations × C(4,2) coincident pairs, all at distance 0 ≤ δ
    assert out["spatial_pairs"] == 5 * 6
    hs = run("hotspots", "--input", write(tmp_path, "dup.csv", "x,y\n0,0\n0,0\n0,0\n30,30\n"), "--cell", 10, "--band", 10)
    assert [c["count"] for c in hs["cells"]][0] == 3


def test_polygons_with_holes_and_multiple_parts():
    out = run("weights", "--input", fixture("polygon_holes.geojson"), "--weights", "queen")
    assert out["n"] == 3
    out = run("moran", "--input", fixture("mexico.geojson"), "--value", "PCGDP1940", "--permutations", 0)
    assert out["n"] == 32


def test_grid_too_large_and_bad_parameters(tmp_path):
    p = write(tmp_path, "far.csv", "x,y\n0,0\n100000000,100000000\n")
    assert "rutnätet blir för stort" in err("hotspots", "--input", p, "--cell", 1, "--band", 3)
    assert "rutstorleken" in err("hotspots", "--input", p, "--cell", 0, "--band", 3)
    assert "rutstorleken" in err("hotspots", "--input", p, "--cell=-5", "--band", 3)
    assert "rutnätet blir för stort" in err("kde", "--input", p, "--cell", 1, "--bandwidth", 10)
    assert "känns inte igen" in err("moran", "--input", fixture("columbus.geojson"), "--value", "CRIME", "--weights", "hex")
    assert "queen och rook kräver polygoner" in err("moran", "--input", fixture("baltim.geojson"), "--value", "PRICE")
    assert "K måste" in err("moran", "--input", fixture("baltim.geojson"), "--value", "PRICE", "--weights", "knn:0")
    assert "minst" in err("knox", "--input", write(tmp_path, "one.csv", "x,y,t\n1,1,1\n"), "--delta", 1, "--tau", 1)


@pytest.mark.parametrize("text", ["{", "[1,2]", '{"type":"Feature","geometry":{"type":"Point","coordinates":["a","b"]}}',
                                  '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"v":1},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}',
                                  "\x00\x01\x02", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"v":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}}]}'])
def test_malformed_geojson(tmp_path, text):
    err("moran", "--input", write(tmp_path, "bad.geojson", text), "--value", "v")


def test_trend_input_errors(tmp_path):
    assert "JSON-filen" in err("trend", "--input", write(tmp_path, "t.json", '{"cells":[{"current":-1}]}'))
    assert "inga rader" in err("trend", "--input", write(tmp_path, "u.json", '{"cells":[]}'))
    out = run("trend", "--input", write(tmp_path, "v.json", json.dumps({"cells": [
        {"id": "klotter/Stortorget", "current": 14, "recent": [3, 5, 4, 6, 3, 4, 5, 4], "last_year": [4, 3, 5, 4, 6, 4, 3]},
        {"id": "ny", "current": 2, "recent": [1]}]})))
    first, young = out["results"]
    assert first["flagged"] and first["direction"] == "increase" and first["typical_high"] < 14
    assert not young["tested"] and not young["flagged"]
