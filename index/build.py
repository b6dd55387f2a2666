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
    passage_text_for_embedding,
    read_manifest,
    read_units,
    read_vectors,
    sentence_text_for_embedding,  # fmt: skip
    write_index,
)
from index.runtime import ONNX_FILE, export, export_folder, exportable
from index.store import Store
from index.versions import build_lock, clean_leftovers, current_version, new_version_dir, publish
from ingest.load import FORMATS, check_corpus, corpus_files, load_file, no_documents
from ingest.split import passages as split_passages
from ingest.units import Passage

log = logging.getLogger("verbatim")


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
    version: str | None = None  # None when nothing changed and no version was written
    seconds: float = 0.0


@dataclass
class Previous:
    """What the current version offers a rebuild: parsed documents and vectors by text."""

    manifest: dict | None = None
    texts: dict[str, str] = field(default_factory=dict)
    passages: dict[str, list[Passage]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    reason: str | None = None  # why nothing is reused, when so


def chunking(max_chars: int) -> dict:
    """The settings that decide units; an index built with others can't reuse or be reused."""
    return {"max_passage_chars": max_chars, "segmenter": "pysbd"}


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _previous(root: Path, model: str, wanted: dict) -> Previous:
    path = current_version(root)
    if path is None:
        return Previous(reason="no previous index")
    try:
        manifest = read_manifest(path)
        if manifest.get("model", {}).get("name") != model:
            name = manifest.get("model", {}).get("name")
            return Previous(manifest, reason=f"model changed from {name!r} to {model!r}: full rebuild")
        if manifest.get("chunking") != wanted or manifest.get("format_version") != FORMAT_VERSION:
            return Previous(manifest, reason="chunking settings or index format changed: full rebuild")
        texts, passages = read_units(path)
        vectors = np.concatenate(read_vectors(path))
    except (OSError, ValueError, KeyError) as error:
        return Previous(reason=f"previous index unreadable ({error}): full rebuild")
    units = [passage_text_for_embedding(p) for p in passages]
    units += [sentence_text_for_embedding(p, s) for p in passages for s in p.sentences]
    by_doc: dict[str, list[Passage]] = {}
    for passage in passages:
        by_doc.setdefault(passage.doc_id, []).append(passage)
    return Previous(manifest, texts, by_doc, dict(zip(map(_key, units), vectors, strict=True)))


def _read(corpus: Path, previous: Previous, max_chars: int, report: BuildReport) -> tuple[dict, dict, list]:
    """Hashes of every supported file, texts and formats of the readable ones, and their passages in order."""
    check_corpus(corpus)
    old_files = (previous.manifest or {}).get("files", {})
    old_docs = (previous.manifest or {}).get("documents", {})
    hashes, documents, passages = {}, {}, []
    for path, doc_id in corpus_files(corpus):
        if path.suffix.lower() not in FORMATS:
            report.skipped.append(load_file(path, doc_id))
            continue
        hashes[doc_id] = hashlib.sha256(path.read_bytes()).hexdigest()
        if old_files.get(doc_id) == hashes[doc_id] and doc_id in previous.passages:  # unchanged: no re-parsing
            documents[doc_id] = (previous.texts[doc_id], old_docs[doc_id]["format"])
            passages += previous.passages[doc_id]
            continue
        loaded = load_file(path, doc_id)
        if isinstance(loaded, str):
            report.skipped.append(loaded)
            continue
        documents[doc_id] = (loaded.document.text, loaded.document.format)
        passages += split_passages(loaded.document, loaded.blocks, max_chars)
    report.added = sorted(set(hashes) - set(old_files))
    report.changed = sorted(d for d in hashes if d in old_files and old_files[d] != hashes[d])
    report.removed = sorted(set(old_files) - set(hashes))
    return hashes, documents, passages


def _unchanged(previous: Previous, corpus: Path) -> bool:
    manifest = previous.manifest
    if manifest is None or previous.reason:
        return False
    check_corpus(corpus)
    files = {doc_id: hashlib.sha256(path.read_bytes()).hexdigest()
             for path, doc_id in corpus_files(corpus) if path.suffix.lower() in FORMATS}  # fmt: skip
    return files == manifest.get("files")


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
) -> BuildReport:
    """Publish a new version of the index at root if the corpus changed; the model is loaded only if needed."""
    began = time.perf_counter()
    with build_lock(root, on_wait):
        clean_leftovers(root)
        previous = _previous(root, model, chunking(max_passage_chars))
        report = BuildReport(full_rebuild=previous.reason)
        if _unchanged(previous, corpus):
            counts = previous.manifest["counts"]
            report.documents, report.passages, report.sentences = (counts[k] for k in ("documents", "passages",
                                                                                      "sentences"))  # fmt: skip
            report.skipped, report.full_rebuild = previous.manifest.get("skipped", []), None
            report.seconds = time.perf_counter() - began
            return report
        work = new_version_dir(root)  # from here on, a build killed at any moment leaves only this behind
        try:
            encoder = _build_into(work, corpus, previous, report, model, max_passage_chars, embedder, progress)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        report.version = publish(root, work, keep).name
        if encoder is not None and export_queries:
            _export_query_encoder(encoder, root, model)
        report.seconds = time.perf_counter() - began
        return report


def _build_into(work: Path, corpus: Path, previous: Previous, report: BuildReport, model: str, max_chars: int,
                embedder: Callable[[], Embedder] | None, progress: bool) -> Embedder | None:  # fmt: skip
    """Read, embed what is new, write and check a whole index version in the directory work; returns the model
    if it had to be loaded."""
    hashes, documents, passages = _read(corpus, previous, max_chars, report)
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
        known.update(zip(map(_key, missing), encoder.encode(missing, progress=progress), strict=True))
    dim = encoder.dim if encoder else previous.manifest["model"]["dimension"]
    vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
    report.embedded = len(missing)
    report.documents, report.passages, report.sentences = len(documents), len(passages), len(texts) - len(passages)
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": {"name": model, "dimension": dim},
        "chunking": chunking(max_chars),
        "documents": {d: {"format": fmt, "sha256": hashes[d]} for d, (_, fmt) in documents.items()},
        "files": hashes,
        "skipped": report.skipped,
        "counts": {"documents": report.documents, "passages": report.passages, "sentences": report.sentences},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_index(work, manifest, {d: text for d, (text, _) in documents.items()}, passages,
                vectors[: len(passages)], vectors[len(passages) :])  # fmt: skip
    Store.load(work, model, max_chars)  # a version that can't be opened is never published
    return encoder


def _export_query_encoder(encoder: Embedder, root: Path, model: str) -> None:
    """Export the model for torch-free question encoding once per index root; answering works without it."""
    folder = export_folder(root, model)
    if (folder / ONNX_FILE).exists() or not exportable(encoder):
        return
    try:
        export(encoder, folder)
    except Exception as error:  # noqa: BLE001 - the export is an optimisation; answering falls back to the model
        log.warning("could not export %s for fast questions (%s); questions will load the full model", model, error)
