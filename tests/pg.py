"""A throw-away PostgreSQL cluster for the tests, started from the server binaries on the machine.

Finds ``initdb``/``pg_ctl`` via ``pg_config --bindir`` or /usr/lib/postgresql/*/bin. PostgreSQL refuses
to run as root, so as root the cluster runs as the ``postgres`` system user (Debian's package creates it).
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


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries (install Debian's ``postgresql`` package)."""


def _bindir() -> Path:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    raise PostgresUnavailable(
        "PostgreSQL-Serverprogramme (initdb, pg_ctl) nicht gefunden: apt-get install postgresql"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a fresh cluster on a free loopback port; yield its SQLAlchemy URL; stop and remove it."""
    bindir = _bindir()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    tmp = Path(tempfile.mkdtemp(prefix="netzpflege-pg-"))
    data = tmp / "data"
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run(prefix + list(args), check=True, capture_output=True, cwd=tmp)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "netzpflege", "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8")
    opts = f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp} -c fsync=off -c full_page_writes=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(tmp / "log"), "-w", "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "netzpflege", "netzpflege")
        yield f"postgresql+psycopg://netzpflege@127.0.0.1:{port}/netzpflege"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, check=False, cwd=tmp)
        shutil.rmtree(tmp, ignore_errors=True)
