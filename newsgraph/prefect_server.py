"""A local Prefect server for scheduled runs.

Prefect's embedded (ephemeral) API runs flows but has no scheduler, so a cron
deployment served against it would never fire. `newsgraph serve` therefore
starts `prefect server start` on 127.0.0.1 when no PREFECT_API_URL is set,
and stops it again when serving ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def local_prefect_server(port: int = 4200, timeout: float = 120, log_file: Path | None = None) -> Iterator[str]:
    """Yields the API URL of a Prefect server on 127.0.0.1:port, started here unless one answers."""
    url = f"http://127.0.0.1:{port}/api"
    if _healthy(url):
        yield url
        return
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    log = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"the local Prefect server exited with status {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local Prefect server did not answer at {url} within {timeout:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_file and not isinstance(log, int):
            log.close()
