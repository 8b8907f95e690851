"""Export the libpysal example datasets the reference tests use into tests/reference/fixtures/.

GeoJSON is written with Python's shortest round-trip float repr, so Brygga and PySAL read the very
same coordinates. Run with the reference venv: `.venv/bin/python tests/reference/export_fixtures.py`.
Only datasets that ship inside the libpysal wheel are used (no downloads).
"""

import csv
import json
import os

import geopandas as gpd
import libpysal.examples as ex
from shapely.geometry import mapping

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
BASE = os.path.dirname(ex.__file__)

# name: (shapefile inside libpysal/examples, numeric fields to keep)
POLYGONS = {
    "columbus": ("columbus/columbus.shp", ["CRIME", "HOVAL", "INC"]),
    "sids2": ("sids2/sids2.shp", ["SID74", "BIR74", "SIDR74", "SIDR79"]),
    "stl": ("stl/stl_hom.shp", ["HR8893", "HR7984"]),
    "mexico": ("mexico/mexicojoin.shp", ["PCGDP1940", "PCGDP2000"]),
    "georgia": ("georgia/G_utm.shp", ["PctBach", "PctPov", "TotPop90"]),
    "us48": ("us_income/us48.shp", ["AREA", "PERIMETER"]),
    "polygon_holes": ("Polygon_Holes/Polygon_Holes.shp", ["IValue", "FValue"]),
}
POINTS = {
    "baltim": ("baltim/baltim.shp", ["PRICE", "NROOM", "AGE", "LOTSZ"]),
}


def coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [float(v) for v in obj[:2]]
        return [coords(o) for o in obj]
    raise TypeError(obj)


def feature(i, geom, props):
    g = mapping(geom)
    return {
        "type": "Feature",
        "id": i,
        "properties": props,
        "geometry": {"type": g["type"], "coordinates": coords(g["coordinates"])},
    }


def export(name, path, fields):
    df = gpd.read_file(os.path.join(BASE, path))
    fields = [f for f in fields if f in df.columns]
    feats = []
    for i, row in df.iterrows():
        props = {f: float(row[f]) for f in fields}
        feats.append(feature(int(i), row.geometry, props))
    with open(os.path.join(OUT, f"{name}.geojson"), "w") as fh:
        json.dump({"type": "FeatureCollection", "features": feats}, fh)
    return fields


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (path, fields) in {**POLYGONS, **POINTS}.items():
        kept = export(name, path, fields)
        print(name, kept)
    # burkitt: space-time events for the Knox test (as in pointpats' documentation)
    df = gpd.read_file(os.path.join(BASE, "burkitt/burkitt.shp"))
    with open(os.path.join(OUT, "burkitt.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "x", "y", "t"])
        for _, row in df.iterrows():
            w.writerow([int(row["ID"]), repr(float(row["X"])), repr(float(row["Y"])), repr(float(row["T"]))])
    print("burkitt", len(df))


if __name__ == "__main__":
    main()
