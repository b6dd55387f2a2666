"""The engine in use by the server, swapped for a newer index version between requests without a restart."""

import logging
import threading
import time

from index.embed import Embedder
from index.layout import IndexUnusable
from index.store import Store
from index.versions import current_version
from server.answer.qa import QA
from server.answer.terms import load_word_lists
from server.engine import open_qa
from server.settings import Settings

log = logging.getLogger("verbatim")


class LiveQA:
    """Holds the current QA. A cheap look at the index's CURRENT pointer (at most once per reload_seconds) starts
    loading a newer version in the background; requests keep the engine they started with, so none fails."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.qa = open_qa(settings, embedder)
        load_word_lists()  # before /healthz says ready, so that no question waits for them
        self._checked = time.monotonic()
        self._loading = threading.Lock()
        self._refused: str | None = None  # a version that failed to load is not retried until it changes

    @property
    def version(self) -> str:
        return self.qa.store.path.name

    def current(self) -> QA:
        if self.settings.reload_seconds > 0 and time.monotonic() - self._checked >= self.settings.reload_seconds:
            self._checked = time.monotonic()
            if self._newer() and self._loading.acquire(blocking=False):
                threading.Thread(target=self._load, daemon=True).start()
        return self.qa

    def reload(self) -> str:
        """Load the current version now (waiting for a load under way); raises IndexUnusable if it is damaged."""
        with self._loading:
            if self._newer(retry=True):
                self._swap()
        return self.version

    def _newer(self, retry: bool = False) -> bool:
        path = current_version(self.settings.index)
        name = path.name if path else None
        return name is not None and name != self.version and (retry or name != self._refused)

    def _load(self) -> None:
        try:
            self._swap()
        except IndexUnusable as error:
            log.warning("kept serving %s: %s", self.version, error)
        finally:
            self._loading.release()

    def _swap(self) -> None:
        path = current_version(self.settings.index)
        try:
            store = Store.load(path, self.settings.model, self.settings.max_passage_chars)
        except IndexUnusable:
            self._refused = path.name
            raise
        self.qa = QA(store, self.qa.embedder, self.settings)  # one assignment: requests see old or new, whole
        log.info("now serving index version %s", self.version)
