"""Wiring the engine from settings: build the index, open it with its model. Shared by the CLI and the app."""

from collections.abc import Callable

from index.build import BuildReport, build_index
from index.embed import Embedder, QueryCache
from index.runtime import document_encoder, query_encoder
from index.store import Store
from ingest.units import Limits
from server.answer.qa import QA
from server.settings import Settings


def build(settings: Settings, progress: bool = False, embedder: Embedder | None = None,
          on_wait: Callable[[str], None] | None = None) -> BuildReport:  # fmt: skip
    return build_index(settings.corpus, settings.index, settings.model, settings.max_passage_chars,
                       keep=settings.keep_versions, embedder=_embedder(settings, embedder), progress=progress, on_wait=on_wait,
                       exact_limit=settings.exact_search_limit, recall_target=settings.search_recall,
                       limits=limits(settings))  # fmt: skip


def _embedder(settings: Settings, embedder: Embedder | None) -> Callable[[], QueryCache]:
    """What a build embeds documents with, made only when it has something to embed."""
    if embedder is not None:
        return lambda: embedder
    if settings.ray_address:
        from index.cluster import ClusterEncoder, require_ray

        require_ray()  # before the build starts, not once it has read the corpus
        return lambda: ClusterEncoder(settings.ray_address, settings.index, settings.model)
    if settings.device == "cpu" and settings.fast_documents:
        return lambda: document_encoder(settings.index, settings.model)
    return lambda: Embedder(settings.model, settings.device)


def limits(settings: Settings) -> Limits:
    return Limits(settings.max_file_bytes, settings.max_unpacked_bytes, settings.read_seconds)


def open_qa(settings: Settings, embedder: Embedder | None = None) -> QA:
    """The current index version with its model; the manifest is checked before the model is loaded. Questions are
    encoded by the index's ONNX export of the model when there is one (no torch to import), else by the model."""
    store = Store.open(settings.index, settings.model, settings.max_passage_chars)
    encoder = embedder or (settings.fast_queries and query_encoder(settings.index, settings.model, settings.query_cache,
                                                                   spin=settings.workers == 1))  # fmt: skip
    return QA(store, encoder or Embedder(settings.model, settings.device, settings.query_cache), settings)
