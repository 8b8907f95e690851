"""Kernel density: no PySAL function to compare with, so the CLI's surface is checked against the
documented formulas computed directly with numpy (docs/ANALYS.md § Kernel density)."""

import numpy as np
import pytest

from conftest import close, fixture, read, run


def rule_bandwidth(pts):
    centre = pts.mean(axis=0)
    d = np.hypot(*(pts - centre).T)
    sd = np.sqrt((d**2).mean())
    return 0.9 * min(sd, np.sqrt(1 / np.log(2)) * np.median(d)) * len(pts) ** -0.2


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
@pytest.mark.parametrize("bandwidth", [None, 12.0])
def test_kde_on_baltim_matches_formula(kernel, bandwidth):
    df = read("baltim.geojson")
    pts = np.column_stack([df.geometry.x, df.geometry.y])
    args = ["kde", "--input", fixture("baltim.geojson"), "--cell", 4, "--kernel", kernel]
    if bandwidth:
        args += ["--bandwidth", bandwidth]
    out = run(*args)
    h = bandwidth or rule_bandwidth(pts)
    close(out["bandwidth"], h, rtol=1e-12, what="bandwidth")
    g = out["grid"]
    reach = 1.0 if kernel == "quartic" else 6.0
    assert g["origin_x"] == pytest.approx(pts[:, 0].min() - reach * h, rel=1e-12)
    cols, rows, cell = g["cols"], g["rows"], g["cell"]
    cx = g["origin_x"] + (np.arange(cols) + 0.5) * cell
    cy = g["origin_y"] + (np.arange(rows) + 0.5) * cell
    X, Y = np.meshgrid(cx, cy)
    dens = np.zeros_like(X)
    for px, py in pts:
        u2 = ((X - px) ** 2 + (Y - py) ** 2) / h**2
        if kernel == "quartic":
            k = np.where(u2 < 1, 3 / np.pi * (1 - u2) ** 2, 0.0)
        else:
            k = np.where(u2 <= 36, np.exp(-u2 / 2) / (2 * np.pi), 0.0)
        dens += k / h**2
    ours = np.array([c["density"] for c in out["cells"]]).reshape(rows, cols)
    close(ours, dens, rtol=1e-9, atol=1e-15 * dens.max(), what="density")
    # the surface holds all the events
    assert ours.sum() * cell * cell == pytest.approx(len(pts), rel=0.02)
