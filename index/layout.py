"""The on-disk layout of one index version: what is written, how it is read back and checked."""

import json
from pathlib import Path

import bm25s
import faiss
import numpy as np

from index.initials import write_initials
from index.search import EXACT_LIMIT, RECALL_TARGET, build_search, read_search, write_search
from index.text import ACRONYM, WORD, for_model, tokens
from index.units import Documents, LazyUnits, Units, write_units
from ingest.units import LineBox, Passage, Sentence

FORMAT_VERSION = 5  # 5: units as one text file and memory-mapped offset arrays (index.units)
REUSABLE_FORMATS = (4, 5)  # versions whose passages and vectors a build reuses (4: passages.json, documents.json)
MANIFEST = "manifest.json"


class IndexUnusable(ValueError):
    """The index can't be used as it is; the message says what to do."""


class IndexNotBuilt(IndexUnusable):
    pass


class IndexMismatch(IndexUnusable):
    pass


class IndexDamaged(IndexUnusable):
    pass


def passage_text_for_embedding(passage: Passage) -> str:
    return for_model(f"{passage.context}\n{passage.text}" if passage.context else passage.text)


# The most words of headings a sentence is embedded with: its nearest heading, then those above it while they fit.
# A research paper's 25-word title would outweigh each of its sentences ("This trial was funded by ..." came out
# nearer every question on the paper's topic than to "who paid for the trial"); a guide's short title stays.
HEADING_WORDS = 12


def sentence_headings(section: tuple[str, ...]) -> str:
    """The section trail a sentence's vector reads: the nearest heading, and those above it within HEADING_WORDS."""
    parts = [part for part in section if part]
    kept = parts[-1:]
    for part in reversed(parts[:-1]):
        if sum(len(k.split()) for k in kept) + len(part.split()) > HEADING_WORDS:
            break
        kept.insert(0, part)
    return " > ".join(kept)


def sentence_text_for_embedding(passage: Passage, sentence: Sentence) -> str:
    headings = sentence_headings(passage.section)
    if passage.kind == "row":  # the trail, then the row's cells named by its header (ingest.split)
        return for_model(f"{headings}{passage.context[len(passage.trail):]}".strip())
    return for_model(f"{headings}: {sentence.text}" if headings else sentence.text)


def _bm25(texts: list[str]) -> bm25s.BM25:
    retriever = bm25s.BM25()
    retriever.index([tokens(t) or [""] for t in texts], show_progress=False)
    return retriever


def write_index(
    path: Path,
    manifest: dict,
    documents: dict[str, str],
    passages: list[Passage],
    passage_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    exact_limit: int = EXACT_LIMIT,
    recall_target: float = RECALL_TARGET,
    layouts: dict[str, list] | None = None,
) -> dict:
    """Write every part of one index version into the (new, empty) directory `path`; returns the manifest written,
    which also describes the vector searches chosen for the corpus's size. `layouts` holds, for laid-out documents
    (PDFs), where each line of their text stands on its page (layout_record)."""
    write_units(path, documents, passages)
    (path / "layout.json").write_text(json.dumps(layouts or {}))
    words = {w.lower() for text in documents.values() for w in WORD.findall(text)}
    (path / "words.txt").write_text("\n".join(sorted(words)))
    acronyms = {a.lower() for text in documents.values() for a in ACRONYM.findall(text)}
    (path / "acronyms.txt").write_text("\n".join(sorted(acronyms)))
    write_initials(path, list(documents.values()))
    np.save(path / "passage_vectors.npy", passage_vectors)
    np.save(path / "sentence_vectors.npy", sentence_vectors)
    sentences = [s.text for p in passages for s in p.sentences]
    _bm25([passage_text_for_embedding(p) for p in passages]).save(path / "bm25_passages", show_progress=False)
    _bm25(sentences).save(path / "bm25_sentences", show_progress=False)
    searches = {}
    for name, vectors in (("passages", passage_vectors), ("sentences", sentence_vectors)):
        index, searches[name] = build_search(vectors, exact_limit, recall_target)
        write_search(index, path / f"{name}.faiss")
    manifest = {**manifest, "search": searches}
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def read_units(path: Path) -> tuple[dict[str, str], list[Passage]]:
    """The document texts and passages (with their sentences) of a version, read whole (a build reusing them)."""
    if (path / "passages.json").exists():
        return _read_units_4(path)
    units = Units(path, cached=0)
    return dict(Documents(units)), list(LazyUnits(units.passage_rows, units.make_passage, units.make_passage))


def _read_units_4(path: Path) -> tuple[dict[str, str], list[Passage]]:
    """Format 4's units: documents.json (texts by id), passages.json (records with their sentences' offsets)."""
    documents = json.loads((path / "documents.json").read_text())
    passages = []
    for r in json.loads((path / "passages.json").read_text()):
        text = documents[r["doc"]]
        sentences = tuple(Sentence(r["doc"], a, b, text[a:b]) for a, b in r["sentences"])
        passages.append(Passage(r["doc"], r["start"], r["end"], text[r["start"] : r["end"]], sentences,
                                tuple(r["section"]), r["page"], r["header"], r["kind"], r["context"]))  # fmt: skip
    return documents, passages


def layout_record(boxes: tuple[LineBox, ...]) -> list:
    return [[b.start, b.end, b.page, round(b.x0, 1), round(b.top, 1), round(b.x1, 1), round(b.bottom, 1)]
            for b in boxes]  # fmt: skip


def read_layouts(path: Path) -> dict[str, list]:
    """Each laid-out document's lines: [start, end, page, x0, top, x1, bottom] (points from the page's top-left)."""
    return json.loads((path / "layout.json").read_text())


def read_words(path: Path) -> list[str]:
    """Every word of the documents as written (lowercased), for near matches of misspelt question words."""
    return (path / "words.txt").read_text().split("\n")


def read_acronyms(path: Path) -> frozenset[str] | None:
    """The acronyms the documents write in capitals (lowercased); None for a version written before they were kept."""
    file = path / "acronyms.txt"
    return frozenset(filter(None, file.read_text().split("\n"))) if file.exists() else None


def read_vectors(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Passage vectors and sentence vectors, in passage and sentence order, memory-mapped (as plain arrays over the
    mapping: np.memmap's own indexing costs a Python call on every lookup)."""
    passages, sentences = (np.load(path / f"{name}_vectors.npy", mmap_mode="r") for name in ("passage", "sentence"))
    return np.asarray(passages), np.asarray(sentences)


def read_searches(path: Path, manifest: dict) -> tuple[faiss.Index, faiss.Index]:
    """The passage and sentence vector searches, memory-mapped."""
    kinds = manifest["search"]
    return tuple(read_search(path / f"{name}.faiss", kinds[name]["type"]) for name in ("passages", "sentences"))


def read_manifest(path: Path) -> dict:
    try:
        return json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise IndexDamaged(f"index at {path} has no readable manifest ({error}): rebuild it") from error


def check_manifest(manifest: dict, model: str, max_passage_chars: int, path: Path) -> None:
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(f"index at {path} has format {manifest.get('format_version')}, this Verbatim reads "
                            f"{FORMAT_VERSION}: run `verbatim index` to rebuild")  # fmt: skip
    built_with = manifest.get("model", {}).get("name")
    if built_with != model:
        raise IndexMismatch(f"index at {path} was built with model {built_with!r} but the settings name {model!r}: "
                            "run `verbatim index` to rebuild it, or set VERBATIM_MODEL back")  # fmt: skip
    chars = manifest.get("chunking", {}).get("max_passage_chars")
    if chars != max_passage_chars:
        raise IndexMismatch(f"index at {path} was built with passages of at most {chars} characters, the "
                            f"settings say {max_passage_chars}: run `verbatim index` to rebuild")  # fmt: skip
