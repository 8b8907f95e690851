"""Seeded results are bit-identical whatever the number of threads."""

import os
import subprocess

import pytest

from conftest import BIN, fixture

COMMANDS = [
    ["moran", "--input", fixture("columbus.geojson"), "--value", "CRIME", "--permutations", "999", "--seed", "5"],
    ["lisa", "--input", fixture("sids2.geojson"), "--value", "SIDR74", "--permutations", "999", "--seed", "5"],
    ["gistar", "--input", fixture("georgia.geojson"), "--value", "PctBach", "--weights", "knn:5", "--permutations", "999", "--seed", "5"],
    ["knox", "--input", fixture("burkitt.csv"), "--delta", "20", "--tau", "30", "--permutations", "999", "--seed", "5"],
    ["nearrepeat", "--input", fixture("burkitt.csv"), "--distances", "5,10,20", "--times", "14,28", "--permutations", "999", "--seed", "5"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_same_output_on_1_2_and_5_threads(args):
    outs = set()
    for threads in ["1", "2", "5"]:
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        proc = subprocess.run([BIN, "analys", *args], capture_output=True, text=True, env=env, check=True)
        outs.add(proc.stdout)
    assert len(outs) == 1
    other_seed = [a if a != "5" else "6" for a in args]
    proc = subprocess.run([BIN, "analys", *other_seed], capture_output=True, text=True, check=True)
    assert proc.stdout not in outs
