"""Shared helpers for the PySAL comparison tests: run the `brygga` binary, load fixtures."""

import json
import os
import subprocess
import warnings

import geopandas as gpd
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("BRYGGA_BIN", os.path.join(ROOT, "target", "debug", "brygga"))

# analytical statistics must agree to this relative tolerance (issue 4)
RTOL = 1e-9

warnings.filterwarnings("ignore")


def fixture(name):
    return os.path.join(FIXTURES, name)


def run(*args, expect_ok=True):
    """Runs `brygga analys ARGS` and returns the parsed JSON (or the completed process on error)."""
    proc = subprocess.run([BIN, "analys", *map(str, args)], capture_output=True, text=True, timeout=300)
    assert "panicked" not in proc.stderr, proc.stderr
    if expect_ok:
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)
    return proc


def read(name):
    return gpd.read_file(fixture(name))


def close(ours, theirs, rtol=RTOL, atol=0.0, what=""):
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, what
    ok = np.isclose(ours, theirs, rtol=rtol, atol=atol) | (np.isnan(ours) & np.isnan(theirs))
    if not ok.all():
        bad = np.flatnonzero(~ok)[:5]
        raise AssertionError(f"{what}: {len(np.flatnonzero(~ok))} differ, e.g. ours {ours.flat[bad]} vs PySAL {theirs.flat[bad]}")


def mc_tolerance(p, permutations, sigmas=4.5):
    """Allowed difference between two independent permutation p-values of `permutations` draws."""
    p = np.clip(np.asarray(p, dtype=float), 1.0 / (permutations + 1), 1.0)
    return sigmas * np.sqrt(2.0 * p * (1.0 - p) / permutations) + 2.0 / (permutations + 1)


@pytest.fixture(scope="session", autouse=True)
def binary_exists():
    assert os.path.exists(BIN), f"brygga binary missing at {BIN}; build it or set BRYGGA_BIN"
