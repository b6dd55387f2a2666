"""The library's SQLite database beside the index (stdlib sqlite3, WAL): one writer thread, readers alongside."""

import logging
import queue
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

from server.settings import Settings

log = logging.getLogger("verbatim")
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, query TEXT NOT NULL, history TEXT NOT NULL, helpful INTEGER NOT NULL,
    note TEXT NOT NULL, index_version TEXT NOT NULL, answered INTEGER, answer TEXT, sentences TEXT,
    citations TEXT, vector BLOB);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, question TEXT NOT NULL, history TEXT NOT NULL, query TEXT NOT NULL,
    reason TEXT NOT NULL, missing_terms TEXT NOT NULL, index_version TEXT NOT NULL, vector BLOB);
CREATE TABLE IF NOT EXISTS rebuilds (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, pid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS signouts (nonce TEXT PRIMARY KEY, expires REAL NOT NULL);
"""


def database_path(settings: Settings) -> Path:
    return settings.database or settings.index.resolve().parent / "verbatim.sqlite3"


class Database:
    """Writes go through one thread that owns the only writing connection (SQLite allows one writer at a time; a
    queue makes callers wait for none of it unless they ask to); reads use a connection per thread (WAL lets them
    read while a write goes on)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = self._connect()
        writer.execute("PRAGMA journal_mode=WAL")
        writer.executescript(SCHEMA)
        self._jobs: queue.Queue = queue.Queue()
        self._local = threading.local()
        self._thread = threading.Thread(target=self._write_all, args=(writer,), name="verbatim-db", daemon=True)
        self._thread.start()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    def write(self, sql: str, params: Sequence = ()) -> Future:
        """Queue one statement; the future is done (with its lastrowid) once it is committed."""
        done: Future = Future()
        self._jobs.put((sql, params, done))
        return done

    def write_now(self, sql: str, params: Sequence = ()) -> int:
        return self.write(sql, params).result(timeout=60)

    def read(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
            connection.row_factory = sqlite3.Row
        return connection.execute(sql, params).fetchall()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)

    def _write_all(self, connection: sqlite3.Connection) -> None:
        while (job := self._jobs.get()) is not None:
            sql, params, done = job
            try:
                done.set_result(connection.execute(sql, params).lastrowid)
            except sqlite3.Error as error:
                log.error("could not write to %s: %s", self.path, error)
                done.set_exception(error)
        connection.close()
