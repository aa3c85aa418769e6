"""A throwaway PostgreSQL server for tests and benchmarks of the indexer's PostgreSQL store.

:func:`postgres_server` runs ``initdb`` + ``pg_ctl`` from the PostgreSQL server packages (Debian's
``postgresql``) on a free loopback port in a temporary directory (as the ``postgres`` user when
run as root), yields its DSN and removes it afterwards. :func:`fresh_database` creates a database
on it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from solinbox.errors import SolinboxError

__all__ = ["PostgresUnavailable", "fresh_database", "postgres_server"]


class PostgresUnavailable(SolinboxError):
    """The PostgreSQL server programs are not installed."""


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise PostgresUnavailable(
            f"PostgreSQL's {name} not found: install the PostgreSQL server (Debian: the "
            "postgresql package; scripts/setup installs it)"
        )
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a libpq DSN of a fresh server; stop and delete it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="solinbox-pg-"))
    data = root / "data"
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    subprocess.run([*prefix, _bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
                   check=True, capture_output=True)  # fmt: skip
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    )
    subprocess.run([*prefix, _bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
                   check=True, capture_output=True)  # fmt: skip
    try:
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        subprocess.run(
            [*prefix, _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(dsn: str, name: str) -> str:
    """Create database ``name`` on the server and return its DSN."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return dsn.replace("dbname=postgres", f"dbname={name}")
