"""A real uvicorn serving `service:app` in a subprocess on a free 127.0.0.1 port.

Used by the socket test here and by the browser tests.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from drafting.testkit.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def live_server(home: Path, log: Path, started: list[subprocess.Popen] | None = None,
                **env: str) -> Iterator[str]:
    """Start uvicorn with DRAFTING_HOME=home; yield its base URL; stop it (and wait) at the end.
    The process is appended to `started` when given (a test that kills it)."""
    port = free_port()
    environ = {**os.environ, "DRAFTING_HOME": str(home), **env}
    with open(log, "w", encoding="utf-8") as out:
        command = [sys.executable, "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
        if started is not None:
            started.append(process)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"uvicorn exited: {log.read_text(encoding='utf-8')[-2000:]}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start within 90 s")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
