"""Rebuilds started from the library: one at a time, in the background, their progress and result kept."""

import json
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from index.build import BuildReport, build_index
from index.embed import Embedder, QueryCache
from index.runtime import OnnxEncoder, document_encoder
from server.engine import limits
from server.settings import Settings
from server.web.db import Database
from server.web.library import iso
from server.web.live import LiveQA

log = logging.getLogger("verbatim")
PUBLIC = ("state", "added", "changed", "removed", "skipped", "error")  # GET /api/rebuilds/{id}, as in the contract
FINAL = ("done", "failed")


@dataclass
class Job:
    id: str
    why: str  # what started it, in words
    state: str = "queued"
    stage: str = "queued"
    done: int = 0  # of the stage's work (files read, texts embedded)
    total: int = 0
    files: int = 0  # files read, of files_total
    files_total: int = 0
    embedded: int = 0
    to_embed: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"source": ..., "reason": ...}
    error: str | None = None
    version: str | None = None  # the version it published; None when nothing had changed
    created: str = field(default_factory=lambda: iso(time.time()))
    finished: str | None = None
    seconds: float = 0.0

    def public(self) -> dict:
        return {key: getattr(self, key) for key in PUBLIC}


def skipped_entries(lines: list[str]) -> list[dict]:
    """A build's one-line notes ("doc: skipped, reason") as {"source", "reason"}."""
    return [{"source": source, "reason": reason} for source, _, reason in (s.partition(": skipped, ") for s in lines)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Rebuilds:
    """A queue of rebuilds run by one thread of this process (the index's build lock serializes them with builds
    elsewhere). A rebuild asked for while one waits in the queue joins it: it will read the corpus as it is then."""

    def __init__(self, settings: Settings, db: Database, live: LiveQA, embedder: QueryCache | None = None) -> None:
        self.settings, self.db, self.live, self._embedder = settings, db, live, embedder
        self._jobs: dict[str, Job] = {}
        self._queue: deque[Job] = deque()
        self._wake = threading.Condition()
        self._saved = 0.0
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="verbatim-rebuilds", daemon=True)
        self._thread.start()
        self._recover()

    def close(self, wait: float = 30.0) -> None:
        """Start no more rebuilds and give the running one a while to finish (the server is stopping); one cut
        short leaves the index as it was, and the next server start runs it again."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=wait)

    def start(self, why: str) -> Job:
        with self._wake:
            if self._queue:
                job = self._queue[-1]
                job.why = f"{job.why}; {why}"
            else:
                job = Job(f"r{time.time_ns():x}{secrets.token_hex(2)}", why)
                self._jobs[job.id] = job
                self._queue.append(job)
            self._save(job)
            self._wake.notify()
        return job

    def nothing(self, why: str) -> Job:
        """A rebuild with nothing to do (every file was rejected), done at once."""
        job = Job(f"r{time.time_ns():x}{secrets.token_hex(2)}", why, state="done", stage="done")
        job.finished = job.created
        self._jobs[job.id] = job
        self._save(job)
        return job

    def get(self, job_id: str) -> Job | None:
        if job_id in self._jobs:
            return self._jobs[job_id]
        rows = self.db.read("SELECT body FROM rebuilds WHERE id = ?", (job_id,))
        return Job(**json.loads(rows[0]["body"])) if rows else None

    def latest(self) -> Job | None:
        rows = self.db.read("SELECT id FROM rebuilds ORDER BY created DESC, id DESC LIMIT 1")
        return self.get(rows[0]["id"]) if rows else None

    def _save(self, job: Job, force: bool = True) -> None:
        """Keep the job in the database (for other server processes and after a restart); progress at most twice
        a second."""
        if not force and time.monotonic() - self._saved < 0.5:
            return
        self._saved = time.monotonic()
        body = json.dumps(asdict(job))
        self.db.write("INSERT OR REPLACE INTO rebuilds (id, created, state, body, pid) VALUES (?, ?, ?, ?, ?)",
                      (job.id, job.created, job.state, body, os.getpid() if job.state not in FINAL else 0))  # fmt: skip

    def _recover(self) -> None:
        """Rebuilds left unfinished by a server that was stopped (killed) are marked failed and run again."""
        for row in self.db.read("SELECT id, pid, body FROM rebuilds WHERE state IN ('queued', 'running')"):
            job = Job(**json.loads(row["body"]))
            if row["pid"] != os.getpid() and _alive(row["pid"]):  # another server process's, still at work
                continue
            again = self.start(f"started again: {job.why}")
            job.state, job.stage, job.finished = "failed", "failed", iso(time.time())
            job.error = f"the server stopped during this rebuild; it was started again as {again.id}"
            self._save(job)

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                job = self._queue[0]
                job.state = "running"
                self._queue.popleft()
            self._save(job)
            self._run(job)

    def _run(self, job: Job) -> None:
        began = time.perf_counter()
        try:
            report = self._build(job)
            self._report(job, report)
            if report.version:
                job.stage = "loading"
                self._save(job)
                self.live.reload()  # this process answers from the new version once the rebuild says done
            job.state = "done"
        except Exception as error:  # any failure: the rebuild says why, and the served version stays
            log.exception("rebuild %s failed", job.id)
            job.state, job.error = "failed", str(error) or type(error).__name__
        job.stage, job.seconds, job.finished = job.state, round(time.perf_counter() - began, 2), iso(time.time())
        self._save(job)

    def _build(self, job: Job) -> BuildReport:
        def told(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total
            if stage == "reading":
                job.files, job.files_total = done, total
            elif stage == "embedding":
                job.embedded, job.to_embed = done, total
            self._save(job, force=False)

        def waiting(message: str) -> None:
            job.stage = "waiting"
            self._save(job)

        s = self.settings
        return build_index(s.corpus, s.index, s.model, s.max_passage_chars, keep=s.keep_versions,
                           embedder=self._encoder(), on_wait=waiting, on_progress=told,
                           export_queries=False, exact_limit=s.exact_search_limit,
                           recall_target=s.search_recall, limits=limits(s))  # fmt: skip

    def _encoder(self) -> Callable[[], QueryCache]:
        """What embeds, made only when there is something to embed: the server's own question encoder when it is
        the ONNX export (already loaded, the model's vectors), else what `verbatim index` would use."""
        given = self._embedder or self.live.qa.embedder
        if self._embedder is not None or isinstance(given, OnnxEncoder):
            return lambda: given
        s = self.settings
        if s.device == "cpu" and s.fast_documents:
            return lambda: document_encoder(s.index, s.model)
        return lambda: given if isinstance(given, Embedder) else Embedder(s.model, s.device)

    @staticmethod
    def _report(job: Job, report: BuildReport) -> None:
        job.added, job.changed, job.removed = report.added, report.changed, report.removed
        job.skipped, job.version = skipped_entries(report.skipped), report.version
