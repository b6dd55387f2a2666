"""Helpers for browser tests: a real `verbatim serve` on 127.0.0.1, and Debian's Chromium through Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: IO[bytes], timeout: float = 120) -> None:
    """Return once {url}/healthz answers 200; raise with the server's last words if it dies or never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read().decode()[-2000:]}") from None
            time.sleep(0.3)


@contextmanager
def live_server(env: dict[str, str], *args: str, timeout: float = 120) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start `verbatim serve` on a free local port, wait for /healthz, stop it afterwards.
    Yields its base URL and process; args go to `verbatim serve` (e.g. "--workers", "2")."""
    port = free_port()
    verbatim = shutil.which("verbatim", path=str(Path(sys.executable).parent)) or "verbatim"
    # The server's output goes to a file, not a pipe: a full pipe that nobody reads would block its logging.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([verbatim, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                                   env={**os.environ, **env}, stdout=log, stderr=log)  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process, log, timeout)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
