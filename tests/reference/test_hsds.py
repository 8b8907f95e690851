"""Brygga's HSDS 3.0 export validates against Open Referral's published schema.

Starts `brygga demo` (BRYGGA_BIN) on a free port, downloads the directory's HSDS export
(`/katalog/hsds.json`: a list of HSDS `organization` objects with their services) and validates
every organization against the vendored compiled schema (tests/reference/hsds/organization.json,
see NOTICE.md) with format checking (UUIDs, e-mail, URIs). Also checks that the demo's Friday
session is there with its schedule, so an empty export cannot pass.

Self-contained (no conftest fixtures needed): `python -m pytest --noconftest tests/reference/test_hsds.py`.
"""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import jsonschema
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("BRYGGA_BIN", os.path.join(ROOT, "target", "debug", "brygga"))
SCHEMA = os.path.join(HERE, "hsds", "organization.json")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def export():
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BRYGGA_DEMO_PASSWORD="demo-lösenord-123")
        proc = subprocess.Popen(
            [BIN, "demo", "--port", str(port), "--data-dir", os.path.join(tmp, "demo")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}/katalog/hsds.json"
            deadline = time.time() + 240
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=10) as r:
                        yield json.load(r)
                        break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise AssertionError(f"brygga demo did not serve {url}: {proc.stderr.read().decode() if proc.poll() is not None else 'timeout'}")
                    time.sleep(1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_every_organization_validates_against_the_published_schema(export):
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert isinstance(export, list) and len(export) >= 5, "the demo publishes several organisations"
    for org in export:
        errors = sorted(validator.iter_errors(org), key=lambda e: list(e.absolute_path))
        assert not errors, f"{org['name']}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_the_friday_session_is_exported_with_its_schedule(export):
    services = [s for o in export for s in o["services"]]
    friday = [s for s in services if s["name"] == "Fredagsfotboll i Österåshallen"]
    assert len(friday) == 1
    s = friday[0]
    assert s["schedules"][0]["byday"] == "FR" and s["schedules"][0]["opens_at"] == "19:00"
    assert (s["minimum_age"], s["maximum_age"]) == (13, 16)
    assert s["cost_options"][0]["amount"] == 0
    assert all(s["name"] != "Sommarfotbollsskola (planeras)" for s in services), "unpublished offers are not exported"


def test_a_service_breaking_the_schema_is_caught():
    """The validator is not a formality: a wrong status and a non-UUID id are refused."""
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    bad = {"id": "inte-ett-uuid", "name": "X", "description": "X", "services": [{"id": "00000002-0000-4000-8000-000000000001", "name": "Y", "status": "öppen"}]}
    messages = [e.message for e in validator.iter_errors(bad)]
    assert any("uuid" in m for m in messages), messages
    assert any("öppen" in m for m in messages), messages
