"""Build an index version from a corpus folder, re-embedding only units whose text is new, and publish it."""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embed import Embedder
from index.store import (
    FORMAT_VERSION,
    passage_text_for_embedding,
    read_manifest,
    sentence_text_for_embedding,
    write_index,  # fmt: skip
)
from index.versions import build_lock, clean_leftovers, current_version, new_version_dir, publish
from ingest.load import FORMATS, CorpusError, corpus_files, load_corpus
from ingest.split import passages as split_passages


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    sentences: int = 0
    embedded: int = 0  # units whose vectors were computed in this build
    reused: int = 0  # units whose vectors came from the previous version
    full_rebuild: str | None = None  # why nothing could be reused, when so
    version: str | None = None  # None when nothing changed and no version was written
    seconds: float = 0.0


def file_hashes(corpus: Path) -> dict[str, str]:
    if not corpus.is_dir():
        raise CorpusError(f"corpus folder {corpus} does not exist: create it and put documents in it")
    return {doc_id: hashlib.sha256(path.read_bytes()).hexdigest()
            for path, doc_id in corpus_files(corpus) if path.suffix.lower() in FORMATS}  # fmt: skip


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _previous_vectors(path: Path) -> dict[str, np.ndarray]:
    """Vectors of the previous version keyed by the hash of the text they embed."""
    documents = json.loads((path / "documents.json").read_text())
    records = json.loads((path / "passages.json").read_text())
    passage_vectors = np.load(path / "passage_vectors.npy")
    sentence_vectors = np.load(path / "sentence_vectors.npy")
    from index.store import _passage

    passages = [_passage(r, documents[r["doc"]]) for r in records]
    found = {_key(passage_text_for_embedding(p)): v for p, v in zip(passages, passage_vectors, strict=True)}
    units = [sentence_text_for_embedding(p, s) for p in passages for s in p.sentences]
    found.update((_key(t), v) for t, v in zip(units, sentence_vectors, strict=True))
    return found


def _reusable(root: Path, manifest: dict | None, model: str, chunking: dict) -> tuple[dict, str | None]:
    if manifest is None:
        return {}, "no previous index"
    if manifest.get("model", {}).get("name") != model:
        return {}, f"model changed from {manifest.get('model', {}).get('name')!r} to {model!r}: full rebuild"
    if manifest.get("chunking") != chunking or manifest.get("format_version") != FORMAT_VERSION:
        return {}, "chunking settings or index format changed: full rebuild"
    try:
        return _previous_vectors(current_version(root)), None
    except (OSError, ValueError, KeyError) as error:
        return {}, f"previous index unreadable ({error}): full rebuild"


def build_index(
    corpus: Path,
    root: Path,
    model: str,
    max_passage_chars: int,
    keep: int = 3,
    embedder: Callable[[], Embedder] | None = None,
    progress: bool = False,
) -> BuildReport:
    """Publish a new version of the index at root if the corpus changed; the model is loaded only if needed."""
    began = time.perf_counter()
    chunking = {"max_passage_chars": max_passage_chars, "segmenter": "pysbd"}
    with build_lock(root):
        clean_leftovers(root)
        hashes = file_hashes(corpus)
        previous = current_version(root)
        try:
            old = read_manifest(previous) if previous else None
        except ValueError:
            old = None
        old_files = (old or {}).get("files", {})
        report = BuildReport(
            added=sorted(set(hashes) - set(old_files)),
            changed=sorted(d for d in hashes if d in old_files and old_files[d] != hashes[d]),
            removed=sorted(set(old_files) - set(hashes)),
        )
        same_setup = old and old.get("model", {}).get("name") == model and old.get("chunking") == chunking
        if same_setup and old.get("format_version") == FORMAT_VERSION and old_files == hashes:
            counts = old["counts"]
            report.documents, report.passages, report.sentences = (counts[k] for k in ("documents", "passages",
                                                                                      "sentences"))  # fmt: skip
            report.skipped = old.get("skipped", [])
            report.seconds = time.perf_counter() - began
            return report
        loaded = load_corpus(corpus)
        report.skipped = loaded.skipped
        known, report.full_rebuild = _reusable(root, old, model, chunking)
        passages = [p for item in loaded.loaded for p in split_passages(item.document, item.blocks,
                                                                       max_passage_chars)]  # fmt: skip
        texts = [passage_text_for_embedding(p) for p in passages]
        texts += [sentence_text_for_embedding(p, s) for p in passages for s in p.sentences]
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
        model_obj = (embedder or (lambda: Embedder(model)))() if missing or not known else None
        if missing:
            known.update(zip(map(_key, missing), model_obj.encode(missing, progress=progress), strict=True))
        dim = model_obj.dim if model_obj else old["model"]["dimension"]
        vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
        report.embedded, report.reused = len(missing), len(texts) - len(missing)
        report.documents, report.passages = len(loaded.loaded), len(passages)
        report.sentences = len(texts) - len(passages)
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": {"name": model, "dimension": dim},
            "chunking": chunking,
            "documents": {item.document.doc_id: {"format": item.document.format,
                                                 "sha256": hashes[item.document.doc_id]}
                          for item in loaded.loaded},  # fmt: skip
            "files": hashes,
            "skipped": loaded.skipped,
            "counts": {"documents": report.documents, "passages": report.passages, "sentences": report.sentences},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        work = new_version_dir(root)
        documents = {item.document.doc_id: item.document.text for item in loaded.loaded}
        write_index(work, manifest, documents, passages, vectors[: len(passages)], vectors[len(passages) :])
        report.version = publish(root, work, keep).name
        report.seconds = time.perf_counter() - began
        return report
