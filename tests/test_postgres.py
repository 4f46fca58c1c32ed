"""The store on a real PostgreSQL server (a throw-away cluster on a Unix socket in a temp folder).

Skipped, with the reason, where PostgreSQL's initdb or the psycopg2 driver is missing; .ci/run has both.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from factcheck.errors import ConflictError
from factcheck.store import Store

from .test_store import hand_made_run

INITDB = shutil.which("initdb") or next(
    (f"/usr/lib/postgresql/{v}/bin/initdb" for v in ("17", "16", "15", "14")
     if os.path.exists(f"/usr/lib/postgresql/{v}/bin/initdb")), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server tools as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip("psycopg2", reason="psycopg2 not installed (pip install -e '.[test]')")
    if INITDB is None:
        pytest.skip("PostgreSQL server tools (initdb) not installed")
    # not under pytest's temp root: its folders are private to root, and the server runs as postgres
    top = tempfile.mkdtemp(prefix="factcheck-pg-")
    data = Path(top) / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(top, "postgres")
        shutil.chown(data, "postgres")
    bindir = os.path.dirname(INITDB)
    subprocess.run(as_postgres([INITDB, "-D", str(data), "-U", "postgres", "--auth=trust"]), check=True,
                   capture_output=True)
    port = free_port()
    opts = f"-p {port} -k {data} -c listen_addresses=''"
    subprocess.run(as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-o", opts, "-w", "start", "-l",
                                str(data / "log.txt")]), check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://postgres@/postgres?host={data}&port={port}"
    finally:
        subprocess.run(as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def pg_db(pg_url, request):
    """A database of its own on the throw-away server, for one test."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def test_runs_and_reviews_work_on_postgres(pg_url):
    store = Store(pg_url)
    run = hand_made_run(n_filler=6)
    store.save_run(**run)
    rows = store.discrepancy_rows()
    assert len(rows) == len(run["found"])
    target = rows[0]["discrepancy_id"]
    saved = store.set_review(target, status="confirmed", note="called the ministry", reviewer="ana",
                             expected_version=0)
    with pytest.raises(ConflictError):
        store.set_review(target, status="dismissed", reviewer="ben", expected_version=0)
    store.save_run(**run)  # a re-run keeps the review
    review = store.review(target)
    assert (review["status"], review["note"], review["version"]) == ("confirmed", "called the ministry", saved["version"])
    assert [a["new"] for a in store.audit_rows(target)] == ["confirmed", "called the ministry"]
