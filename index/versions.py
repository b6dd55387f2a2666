"""An index root holds versioned index directories and a CURRENT pointer switched by one atomic rename."""

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POINTER = "CURRENT"
LOCK = ".lock"
TEMP_PREFIX = ".building-"


class BuildLocked(RuntimeError):
    """Another build holds the lock."""


def current_version(root: Path) -> Path | None:
    try:
        name = (root / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    return root / name if name else None


def new_version_dir(root: Path) -> Path:
    """A fresh, hidden directory to build in; it becomes a version only when published."""
    root.mkdir(parents=True, exist_ok=True)
    name = time.strftime("v%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
    path = root / f"{TEMP_PREFIX}{name}"
    path.mkdir()
    return path


def publish(root: Path, built: Path, keep: int) -> Path:
    """Make a built directory the current version atomically, then prune all but the newest `keep`."""
    final = root / built.name.removeprefix(TEMP_PREFIX)
    os.replace(built, final)
    pointer = root / f".{POINTER}.tmp"
    pointer.write_text(final.name + "\n")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, root / POINTER)
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in versions[: max(0, len(versions) - max(keep, 1))]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return final


def clean_leftovers(root: Path) -> None:
    """Remove directories of builds that never published (killed midway); call while holding the lock."""
    for path in root.glob(f"{TEMP_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def build_lock(root: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Serialize builds of one index root. A held lock is waited for after telling on_wait who holds it;
    without on_wait it raises BuildLocked naming the holder."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            message = f"another build of {root} is running ({handle.read().strip() or 'another process'})"
            if on_wait is None:
                raise BuildLocked(message) from None
            on_wait(message)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
