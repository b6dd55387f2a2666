"""The corpus folder as the library sees it: documents and their index records, the trash, files kept whole."""

import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from fastapi import HTTPException

from index.store import Store
from ingest.load import FORMATS, corpus_files
from server.settings import Settings

TEMP_PREFIX = ".upload-"  # hidden: corpus_files (and so every build) passes over a file being written


class LibraryError(HTTPException):
    """A library action that can't be done (404 for what isn't there, 409 for a conflict); the detail says why."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(status, message)


@dataclass(frozen=True, slots=True)
class Row:
    """One document: what the served index holds of it and what the corpus folder holds now."""

    source: str
    format: str
    bytes: int
    pages: int | None
    passages: int
    sections: int
    changed: str  # the file's modification time, ISO 8601 (UTC)
    state: str  # "indexed", "changed" (on disk since it was indexed), "missing" (removed, rebuild pending), "new"


@dataclass(frozen=True, slots=True)
class Trashed:
    entry: str
    source: str
    removed: str  # ISO 8601
    bytes: int


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def trash_path(settings: Settings) -> Path:
    corpus = settings.corpus.resolve()
    return (settings.trash or corpus.with_name(corpus.name + ".trash")).resolve()


@lru_cache(maxsize=8192)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path), stat.st_mtime_ns, stat.st_size)


def fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Library:
    """Reads the corpus folder, moves files to and from the trash; one change at a time in this process."""

    def __init__(self, settings: Settings) -> None:
        self.corpus, self.trash = settings.corpus.resolve(), trash_path(settings)
        if self.trash.is_relative_to(self.corpus):
            raise LibraryError(f"the trash folder {self.trash} must not be inside the corpus {self.corpus}")
        self.lock = threading.RLock()
        self.trash.mkdir(parents=True, exist_ok=True)
        for leftover in self.corpus.glob(f"{TEMP_PREFIX}*"):  # a write cut short (the server was killed)
            leftover.unlink(missing_ok=True)

    def files(self) -> dict[str, Path]:
        """Every visible file of the corpus folder by its source name (what a build would look at)."""
        return {doc_id: path for path, doc_id in corpus_files(self.corpus)}

    def rows(self, store: Store) -> tuple[list[Row], list[Row]]:
        """The served version's documents, and the readable-format files on disk it does not hold yet."""
        on_disk, docs = self.files(), store.manifest.get("documents", {})
        counts = store.document_counts()
        rows = [self._row(source, on_disk.get(source), record, *counts.get(source, (0, 0)), store)
                for source, record in sorted(docs.items())]  # fmt: skip
        skipped = {line.partition(": skipped, ")[0] for line in store.manifest.get("skipped", [])}
        new = [self._row(source, path, None, 0, 0, store) for source, path in sorted(on_disk.items())
               if source not in docs and source not in skipped and path.suffix.lower() in FORMATS]  # fmt: skip
        return rows, new

    def _row(self, source: str, path: Path | None, record: dict | None, passages: int, sections: int,
             store: Store) -> Row:  # fmt: skip
        stat = path.stat() if path else None
        if record is None:
            state = "new"
        elif stat is None:
            state = "missing"
        else:
            state = "indexed" if file_sha256(path) == record.get("sha256") else "changed"
        fmt = record["format"] if record else FORMATS[Path(source).suffix.lower()]
        changed = iso(stat.st_mtime) if stat else store.manifest.get("built_at", "")
        return Row(source, fmt, stat.st_size if stat else 0, record.get("pages") if record else None, passages,
                   sections, changed, state)  # fmt: skip

    def find(self, source: str) -> Path:
        """The corpus file named source, exactly as a build names it; LibraryError (404) for anything else."""
        path = self.files().get(source)
        if path is None:
            raise LibraryError(f"no document {source!r} in the corpus", 404)
        return path

    def remove(self, source: str) -> Trashed:
        """Move a corpus file into a new trash entry (never deleted), keeping its path under the corpus."""
        with self.lock:
            path = self.find(source)
            entry = f"{time.time_ns()}-{os.urandom(3).hex()}"
            target = self.trash / entry / source
            target.parent.mkdir(parents=True)
            _move(path, target)
            _prune_empty(path.parent, self.corpus)
            fsync_dir(self.corpus)
            return Trashed(entry, source, iso(time.time()), target.stat().st_size)

    def trashed(self) -> list[Trashed]:
        """What the trash holds, most recently removed first."""
        found = []
        for folder in sorted(self.trash.iterdir(), reverse=True):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                removed = int(folder.name.partition("-")[0]) / 1e9 if folder.name[:1].isdigit() else 0.0
                found.append(Trashed(folder.name, path.relative_to(folder).as_posix(), iso(removed),
                                     path.stat().st_size))  # fmt: skip
        return found

    def restore(self, entry: str) -> str:
        """Put a trashed file back where it was; refused while another file has its name."""
        with self.lock:
            match = next((t for t in self.trashed() if t.entry == entry), None)
            if match is None or "/" in entry or entry.startswith("."):
                raise LibraryError(f"nothing in the trash called {entry!r}", 404)
            target = self.corpus / match.source
            if target.exists():
                raise LibraryError(f"{match.source} is in the corpus again: remove it first to restore this one")
            target.parent.mkdir(parents=True, exist_ok=True)
            _move(self.trash / entry / match.source, target)
            fsync_dir(target.parent)
            shutil.rmtree(self.trash / entry, ignore_errors=True)
            return match.source


def _move(source: Path, target: Path) -> None:
    """A rename (atomic on one file system); across file systems a copy made durable first, then the original
    removed, so the file is always whole in one place or the other."""
    try:
        os.rename(source, target)
    except OSError as error:
        if error.errno != 18:  # EXDEV: another file system
            raise
        shutil.copy2(source, target)
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
        source.unlink()


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove folders left empty by a removal, up to (not including) the corpus folder."""
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
