"""A throwaway PostgreSQL server: Debian's `postgresql`, initdb in a temporary folder, on loopback.

The server runs as `nobody` when started by root (initdb refuses root). A missing PostgreSQL is an error
(install it with `make system-deps`), never a skip.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from drafting.testkit.ports import free_port


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is missing: install Debian's postgresql (make system-deps)")
    return found


def _run(command: list[str], user: str | None) -> None:
    subprocess.run(command, check=True, user=user, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   timeout=120)


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a throwaway server; yield its admin URL (user `drafting`, trust auth on 127.0.0.1)."""
    user = "nobody" if os.geteuid() == 0 else None
    # not pytest's tmp_path: its parents are private to root, and the server runs as nobody
    folder = Path(tempfile.mkdtemp(prefix="drafting-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if user is not None:
        shutil.chown(folder, user)
        shutil.chown(sockets, user)
    port = free_port()
    try:
        _run([_binary("initdb"), "-D", str(data), "-U", "drafting", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"], user)
        _run([_binary("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
              "-o", f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=200", "start"],
             user)
        try:
            yield f"postgresql://drafting@127.0.0.1:{port}/postgres"
        finally:
            _run([_binary("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], user)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
