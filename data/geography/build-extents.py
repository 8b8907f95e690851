#!/usr/bin/env python3
"""Compute municipality bounding boxes (WGS84) from real boundary polygons.

Input: the CSV "Svenska kommuner_2017_data_geo_kml.csv" from the public repository
marcusasplund/kommundata (one row per municipality: columns Kommun, Kod, ..., geometry,
where geometry is a KML <Polygon> or <MultiGeometry> in WGS84 lon,lat[,alt]). Any file
with the columns Kod and geometry in that form works, e.g. an excerpt of that file.

Output: data/geography/municipality_extents.csv with the columns
code,min_lon,min_lat,max_lon,max_lat, one row per municipality, sorted by code, every
bound rounded outward to 3 decimals (min down, max up), so the box always contains the
source polygon.

Usage:
    python3 data/geography/build-extents.py SOURCE.csv            # every municipality in SOURCE
    python3 data/geography/build-extents.py SOURCE.csv --demo     # only the demo police areas'
    python3 data/geography/build-extents.py SOURCE.csv --codes 1287,1263

The committed municipality_extents.csv was made with --demo (see README.md).

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
MUNICIPALITIES = HERE / "municipalities.csv"
POLICE_AREAS = HERE / "police_areas_demo.csv"
DEFAULT_OUT = HERE / "municipality_extents.csv"

# EPSG area of use 1225, "Sweden - onshore and offshore" (EPSG dataset v10.076): every
# municipality must lie inside it, or the source row is wrong.
SWEDEN = (Decimal("10.03"), Decimal("54.96"), Decimal("24.17"), Decimal("69.07"))

QUANTUM = Decimal("0.001")
COORDS = re.compile(r"<coordinates>(.*?)</coordinates>", re.DOTALL)


def load_municipality_codes() -> dict[str, str]:
    with MUNICIPALITIES.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def demo_codes() -> list[str]:
    with POLICE_AREAS.open(encoding="utf-8", newline="") as f:
        return [row["municipality_code"] for row in csv.DictReader(f)]


def points(geometry: str) -> list[tuple[Decimal, Decimal]]:
    """Every vertex of every ring in a KML geometry, as (lon, lat)."""
    out: list[tuple[Decimal, Decimal]] = []
    for block in COORDS.findall(geometry):
        for token in block.split():
            parts = token.split(",")
            if len(parts) < 2:
                raise ValueError(f"bad coordinate {token!r}")
            out.append((Decimal(parts[0]), Decimal(parts[1])))
    return out


def extent(pts: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return (
        min(lons).quantize(QUANTUM, rounding=ROUND_FLOOR),
        min(lats).quantize(QUANTUM, rounding=ROUND_FLOOR),
        max(lons).quantize(QUANTUM, rounding=ROUND_CEILING),
        max(lats).quantize(QUANTUM, rounding=ROUND_CEILING),
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path, help="CSV with columns Kod and geometry (KML)")
    ap.add_argument("--demo", action="store_true", help="only the municipalities in police_areas_demo.csv")
    ap.add_argument("--codes", help="comma-separated municipality codes to keep")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    known = load_municipality_codes()
    wanted: set[str] | None = None
    if args.demo:
        wanted = set(demo_codes())
    if args.codes:
        wanted = (wanted or set()) | {c.strip() for c in args.codes.split(",") if c.strip()}
    if wanted is not None:
        unknown = sorted(wanted - known.keys())
        if unknown:
            print(f"unknown municipality codes: {', '.join(unknown)}", file=sys.stderr)
            return 2

    csv.field_size_limit(sys.maxsize)
    rows: dict[str, tuple[Decimal, Decimal, Decimal, Decimal]] = {}
    with args.source.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = row["Kod"].strip().zfill(4)
            if wanted is not None and code not in wanted:
                continue
            if code not in known:
                print(f"{code} ({row.get('Kommun', '?')}): not a current municipality code", file=sys.stderr)
                return 1
            if code in rows:
                print(f"{code}: more than one row in the source", file=sys.stderr)
                return 1
            pts = points(row["geometry"])
            if len(pts) < 4:
                print(f"{code} {known[code]}: no polygon in the source row", file=sys.stderr)
                return 1
            box = extent(pts)
            if not (SWEDEN[0] <= box[0] < box[2] <= SWEDEN[2] and SWEDEN[1] <= box[1] < box[3] <= SWEDEN[3]):
                print(f"{code} {known[code]}: extent {box} is not inside Sweden", file=sys.stderr)
                return 1
            rows[code] = box

    if wanted is not None:
        missing = sorted(wanted - rows.keys())
        if missing:
            print(f"not in the source: {', '.join(missing)}", file=sys.stderr)
            return 1

    with args.out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "min_lon", "min_lat", "max_lon", "max_lat"])
        for code in sorted(rows):
            w.writerow([code, *(f"{v:.3f}" for v in rows[code])])
    print(f"wrote {len(rows)} extents to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
