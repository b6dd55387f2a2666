"""Build an index version from a corpus folder, reusing what is unchanged, and publish it atomically."""

import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embed import Embedder
from index.layout import (
    FORMAT_VERSION,
    HEADING_WORDS,
    REUSABLE_FORMATS,
    layout_record,
    passage_text_for_embedding,
    read_layouts,
    read_manifest,
    read_units,
    read_vectors,
    sentence_text_for_embedding,  # fmt: skip
    write_index,
)
from index.runtime import ONNX_FILE, export, export_folder, exportable
from index.search import EXACT_LIMIT, RECALL_TARGET
from index.store import Store
from index.versions import build_lock, clean_leftovers, current_version, new_version_dir, publish
from ingest.load import FORMATS, check_corpus, corpus_files, load_file, no_documents
from ingest.split import passages as split_passages
from ingest.units import NO_LIMITS_SET, Limits, Passage

log = logging.getLogger("verbatim")
# Told (stage, done, total) as a build goes: hashing, reading, embedding, writing, checking, publishing.
Progress = Callable[[str, int, int], None]
EMBED_BATCH = 256  # texts embedded between two progress reports


def _silent(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    sentences: int = 0
    embedded: int = 0  # distinct texts embedded in this build
    reused: int = 0  # units whose vectors came from the previous version
    full_rebuild: str | None = None  # why nothing could be reused, when so
    search: dict[str, str] = field(default_factory=dict)  # vector search type chosen for passages and sentences
    version: str | None = None  # None when nothing changed and no version was written
    seconds: float = 0.0


@dataclass
class Previous:
    """What the current version offers a rebuild: parsed documents and vectors by text."""

    manifest: dict | None = None
    texts: dict[str, str] = field(default_factory=dict)
    layouts: dict[str, list] = field(default_factory=dict)
    passages: dict[str, list[Passage]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    reason: str | None = None  # why nothing is reused, when so


def chunking(max_chars: int) -> dict:
    """The settings that decide units; an index built with others can't reuse or be reused."""
    return {"max_passage_chars": max_chars, "segmenter": "pysbd", "sentence_headings": HEADING_WORDS}


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def file_hashes(corpus: Path) -> dict[str, str]:
    """SHA-256 of every file of a supported format under the corpus folder, by document id."""
    check_corpus(corpus)
    return {doc_id: hashlib.sha256(path.read_bytes()).hexdigest()
            for path, doc_id in corpus_files(corpus) if path.suffix.lower() in FORMATS}  # fmt: skip


def _current(root: Path, model: str, wanted: dict) -> tuple[Path | None, dict | None, str | None]:
    """The current version, its manifest, and why it can't be reused (None when it can); reads only the manifest."""
    path = current_version(root)
    if path is None:
        return None, None, "no previous index"
    try:
        manifest = read_manifest(path)
    except ValueError as error:
        return path, None, f"previous index unreadable ({error}): full rebuild"
    name = manifest.get("model", {}).get("name")
    if name != model:
        return path, manifest, f"model changed from {name!r} to {model!r}: full rebuild"
    if manifest.get("chunking") != wanted or manifest.get("format_version") not in REUSABLE_FORMATS:
        return path, manifest, "chunking settings or index format changed: full rebuild"
    return path, manifest, None


def _previous(path: Path, manifest: dict) -> Previous:
    """A reusable version's parsed documents and vectors."""
    try:
        texts, passages = read_units(path)
        layouts = read_layouts(path)
        vectors = np.concatenate(read_vectors(path))
    except (OSError, EOFError, ValueError, KeyError) as error:
        return Previous(reason=f"previous index unreadable ({error}): full rebuild")
    units = [passage_text_for_embedding(p) for p in passages]
    units += [sentence_text_for_embedding(p, s) for p in passages for s in p.sentences]
    by_doc: dict[str, list[Passage]] = {}
    for passage in passages:
        by_doc.setdefault(passage.doc_id, []).append(passage)
    return Previous(manifest, texts, layouts, by_doc, dict(zip(map(_key, units), vectors, strict=True)))


@dataclass(frozen=True, slots=True)
class _Read:
    """What a version keeps of a document beside its passages."""

    text: str
    format: str
    pages: int | None
    layout: list  # index.layout.layout_record of a laid-out document's lines, else empty


def _read(corpus: Path, hashes: dict[str, str], previous: Previous, max_chars: int, report: BuildReport,
          limits: Limits, tell: Progress = _silent) -> tuple[dict, list]:  # fmt: skip
    """Texts and formats of the readable documents, and their passages in order; unchanged ones aren't re-read."""
    old_files = (previous.manifest or {}).get("files", {})
    old_docs = (previous.manifest or {}).get("documents", {})
    documents, passages = {}, []
    files = list(corpus_files(corpus))
    for number, (path, doc_id) in enumerate(files, start=1):
        tell("reading", number - 1, len(files))
        if path.suffix.lower() not in FORMATS:
            report.skipped.append(load_file(path, doc_id))
            continue
        if doc_id not in hashes:  # it appeared after the files were hashed: the next build takes it
            continue
        if old_files.get(doc_id) == hashes[doc_id] and doc_id in previous.passages:  # unchanged: no re-parsing
            old = old_docs[doc_id]
            documents[doc_id] = _Read(previous.texts[doc_id], old["format"], old.get("pages"),
                                      previous.layouts.get(doc_id, []))  # fmt: skip
            passages += previous.passages[doc_id]
            continue
        loaded = load_file(path, doc_id, limits)
        if isinstance(loaded, str):
            report.skipped.append(loaded)
            continue
        document = loaded.document
        documents[doc_id] = _Read(document.text, document.format, document.pages, layout_record(document.layout))
        passages += split_passages(loaded.document, loaded.blocks, max_chars)
    tell("reading", len(files), len(files))
    report.added = sorted(set(hashes) - set(old_files))
    report.changed = sorted(d for d in hashes if d in old_files and old_files[d] != hashes[d])
    report.removed = sorted(set(old_files) - set(hashes))
    return documents, passages


def build_index(
    corpus: Path,
    root: Path,
    model: str,
    max_passage_chars: int,
    keep: int = 3,
    embedder: Callable[[], Embedder] | None = None,
    progress: bool = False,
    on_wait: Callable[[str], None] | None = None,
    export_queries: bool = True,
    exact_limit: int = EXACT_LIMIT,
    recall_target: float = RECALL_TARGET,
    limits: Limits = NO_LIMITS_SET,
    on_progress: Progress | None = None,
) -> BuildReport:
    """Publish a new version of the index at root if the corpus changed; the model is loaded only if needed.
    on_progress, if given, is told each stage as it goes, with how much of it is done (texts embedded in batches)."""
    began = time.perf_counter()
    with build_lock(root, on_wait):
        if on_progress:
            on_progress("hashing", 0, 0)
        clean_leftovers(root)
        path, manifest, reason = _current(root, model, chunking(max_passage_chars))
        hashes = file_hashes(corpus)
        current = reason is None and manifest.get("format_version") == FORMAT_VERSION
        if current and manifest.get("files") == hashes:  # nothing changed: no version, no model
            counts = manifest["counts"]
            report = BuildReport(documents=counts["documents"], passages=counts["passages"],
                                 sentences=counts["sentences"], skipped=manifest.get("skipped", []))  # fmt: skip
            report.seconds = time.perf_counter() - began
            return report
        previous = _previous(path, manifest) if reason is None else Previous(manifest, reason=reason)
        report = BuildReport(full_rebuild=previous.reason)
        work = new_version_dir(root)  # from here on, a build killed at any moment leaves only this behind
        try:
            encoder = _build_into(work, corpus, hashes, previous, report, model, max_passage_chars, embedder,
                                  progress, (exact_limit, recall_target), limits, on_progress)  # fmt: skip
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if on_progress:
            on_progress("publishing", 0, 0)
        report.version = publish(root, work, keep).name
        if encoder is not None and export_queries:
            _export_query_encoder(encoder, root, model)
        report.seconds = time.perf_counter() - began
        return report


def _build_into(work: Path, corpus: Path, hashes: dict[str, str], previous: Previous, report: BuildReport,
                model: str, max_chars: int, embedder: Callable[[], Embedder] | None, progress: bool,
                search: tuple[int, float], limits: Limits, on_progress: Progress | None) -> Embedder | None:  # fmt: skip
    """Read, embed what is new, write and check a whole index version in the directory work; returns the model
    if it had to be loaded."""
    tell = on_progress or _silent
    documents, passages = _read(corpus, hashes, previous, max_chars, report, limits, tell)
    if not documents:
        raise no_documents(corpus)
    texts = [passage_text_for_embedding(p) for p in passages]
    texts += [sentence_text_for_embedding(p, s) for p in passages for s in p.sentences]
    keys = [_key(t) for t in texts]
    known = previous.vectors
    report.reused = sum(k in known for k in keys)
    missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
    encoder = (embedder or (lambda: Embedder(model)))() if missing or not known else None
    if missing:
        known.update(zip(map(_key, missing), _encode(encoder, missing, progress, on_progress), strict=True))
    dim = encoder.dim if encoder else previous.manifest["model"]["dimension"]
    vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
    report.embedded = len(missing)
    report.documents, report.passages, report.sentences = len(documents), len(passages), len(texts) - len(passages)
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": {"name": model, "dimension": dim},
        "chunking": chunking(max_chars),
        "documents": {d: {"format": r.format, "pages": r.pages, "sha256": hashes[d]} for d, r in documents.items()},
        "files": hashes,
        "skipped": report.skipped,
        "counts": {"documents": report.documents, "passages": report.passages, "sentences": report.sentences},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    tell("writing", 0, 0)
    manifest = write_index(work, manifest, {d: r.text for d, r in documents.items()}, passages,
                           vectors[: len(passages)], vectors[len(passages) :], *search,
                           layouts={d: r.layout for d, r in documents.items() if r.layout})  # fmt: skip
    report.search = {name: found["type"] for name, found in manifest["search"].items()}
    tell("checking", 0, 0)
    Store.load(work, model, max_chars)  # a version that can't be opened is never published
    return encoder


def _encode(encoder: Embedder, texts: list[str], progress: bool, on_progress: Progress | None) -> np.ndarray:
    """All texts' vectors; in batches, each reported, when someone is told the progress."""
    if on_progress is None:
        return encoder.encode(texts, progress=progress)
    parts = []
    for start in range(0, len(texts), EMBED_BATCH):
        on_progress("embedding", start, len(texts))
        parts.append(encoder.encode(texts[start : start + EMBED_BATCH]))
    on_progress("embedding", len(texts), len(texts))
    return np.concatenate(parts)


def _export_query_encoder(encoder: Embedder, root: Path, model: str) -> None:
    """Export the model for torch-free question encoding once per index root; answering works without it."""
    folder = export_folder(root, model)
    if (folder / ONNX_FILE).exists() or not exportable(encoder):
        return
    try:
        export(encoder, folder)
    except Exception as error:  # noqa: BLE001 - the export is an optimisation; answering falls back to the model
        log.warning("could not export %s for fast questions (%s); questions will load the full model", model, error)
