"""One index version on disk: manifest, document texts, passages, vectors (FAISS) and BM25, loaded and checked."""

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import bm25s
import faiss
import numpy as np

from index.text import tokens
from index.versions import current_version
from ingest.units import Passage, Sentence

FORMAT_VERSION = 1
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
    return f"{passage.context}\n{passage.text}" if passage.context else passage.text


def sentence_text_for_embedding(passage: Passage, sentence: Sentence) -> str:
    if passage.kind == "row":
        return passage.context
    return f"{passage.context}: {sentence.text}" if passage.context else sentence.text


def _passage_record(p: Passage) -> dict:
    return {"doc": p.doc_id, "start": p.start, "end": p.end, "section": list(p.section), "page": p.page,
            "header": p.header, "kind": p.kind, "context": p.context,
            "sentences": [[s.start, s.end] for s in p.sentences]}  # fmt: skip


def passage_from_record(record: dict, text: str) -> Passage:
    doc = record["doc"]
    sentences = tuple(Sentence(doc, a, b, text[a:b]) for a, b in record["sentences"])
    return Passage(doc, record["start"], record["end"], text[record["start"] : record["end"]], sentences,
                   tuple(record["section"]), record["page"], record["header"], record["kind"],
                   record["context"])  # fmt: skip


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
) -> None:
    """Write every part of one index version into the (new, empty) directory `path`."""
    (path / "documents.json").write_text(json.dumps(documents, ensure_ascii=False))
    (path / "passages.json").write_text(json.dumps([_passage_record(p) for p in passages], ensure_ascii=False))
    np.save(path / "passage_vectors.npy", passage_vectors)
    np.save(path / "sentence_vectors.npy", sentence_vectors)
    sentences = [s.text for p in passages for s in p.sentences]
    _bm25([passage_text_for_embedding(p) for p in passages]).save(path / "bm25_passages", show_progress=False)
    _bm25(sentences).save(path / "bm25_sentences", show_progress=False)
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))


def read_manifest(path: Path) -> dict:
    try:
        return json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise IndexDamaged(f"index at {path} has no readable manifest ({error}): rebuild it") from error


@dataclass
class Store:
    """A loaded index version: what retrieval and answering read."""

    path: Path
    manifest: dict
    documents: dict[str, str]
    passages: list[Passage]
    sentences: list[Sentence]
    sentence_passage: np.ndarray  # index into passages for each sentence
    sentence_offsets: np.ndarray  # id of each passage's first sentence
    passage_vectors: np.ndarray
    sentence_vectors: np.ndarray
    passage_search: faiss.Index
    sentence_search: faiss.Index
    passage_bm25: bm25s.BM25
    sentence_bm25: bm25s.BM25

    @classmethod
    def open(cls, root: Path, model: str, max_passage_chars: int) -> "Store":
        """The current version under root, refused clearly if missing, damaged or built otherwise."""
        path = current_version(root)
        if path is None or not path.is_dir():
            raise IndexNotBuilt(f"no index at {root}: run `verbatim index` first")
        return cls.load(path, model, max_passage_chars)

    @classmethod
    def load(cls, path: Path, model: str, max_passage_chars: int) -> "Store":
        """One version directory, checked against the settings and read whole."""
        manifest = read_manifest(path)
        check_manifest(manifest, model, max_passage_chars, path)
        try:
            return cls._read(path, manifest)
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            raise IndexDamaged(f"index at {path} is damaged ({error}): run `verbatim index` to rebuild") from error

    @classmethod
    def _read(cls, path: Path, manifest: dict) -> "Store":
        documents = json.loads((path / "documents.json").read_text())
        passages = [passage_from_record(r, documents[r["doc"]]) for r in json.loads((path / "passages.json").read_text())]
        sentences = [s for p in passages for s in p.sentences]
        counts = [len(p.sentences) for p in passages]
        owner = np.repeat(np.arange(len(passages)), counts)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        passage_vectors = np.load(path / "passage_vectors.npy")
        sentence_vectors = np.load(path / "sentence_vectors.npy")
        dim = manifest["model"]["dimension"]
        if passage_vectors.shape != (len(passages), dim) or sentence_vectors.shape != (len(sentences), dim):
            raise ValueError("vector counts do not match the passages")
        passage_bm25 = bm25s.BM25.load(path / "bm25_passages", show_progress=False)
        sentence_bm25 = bm25s.BM25.load(path / "bm25_sentences", show_progress=False)
        if passage_bm25.scores["num_docs"] != len(passages) or sentence_bm25.scores["num_docs"] != len(sentences):
            raise ValueError("lexical index does not match the passages")
        return cls(path, manifest, documents, passages, sentences, owner, offsets, passage_vectors, sentence_vectors,
                   _flat(passage_vectors), _flat(sentence_vectors), passage_bm25, sentence_bm25)  # fmt: skip

    def dense(self, query: np.ndarray, k: int, sentences: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosine similarities of the k nearest passages (or sentences)."""
        search = self.sentence_search if sentences else self.passage_search
        scores, ids = search.search(query.reshape(1, -1), min(k, search.ntotal))
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def lexical(self, query_tokens: list[str], sentences: bool = False) -> np.ndarray:
        """BM25 score of every passage (or sentence) for the query's tokens."""
        retriever = self.sentence_bm25 if sentences else self.passage_bm25
        known = [t for t in query_tokens if t in retriever.vocab_dict]
        if not known:
            return np.zeros(retriever.scores["num_docs"], dtype=np.float32)
        return retriever.get_scores(known)

    def has_term(self, token: str) -> bool:
        return token in self.passage_bm25.vocab_dict

    def sentence_token_list(self, sid: int) -> list[str]:
        """The stemmed tokens of one sentence in order, remembered once computed."""
        found = self._token_cache.get(sid)
        if found is None:
            found = self._token_cache[sid] = tokens(self.sentences[sid].text)
        return found

    def sentence_tokens(self, sid: int) -> frozenset[str]:
        return frozenset(self.sentence_token_list(sid))

    @cached_property
    def _token_cache(self) -> dict[int, list[str]]:
        return {}

    def passage_tokens(self, pid: int) -> frozenset[str]:
        """The stemmed tokens of a passage with its context (section trail, a row's header)."""
        found = self._passage_token_cache.get(pid)
        if found is None:
            words = frozenset(tokens(self.passages[pid].context))
            words = words.union(*(self.sentence_tokens(s) for s in self.passage_sentence_ids(pid)))
            found = self._passage_token_cache[pid] = words
        return found

    @cached_property
    def _passage_token_cache(self) -> dict[int, frozenset[str]]:
        return {}

    def passage_sentence_ids(self, pid: int) -> range:
        first = int(self.sentence_offsets[pid])
        return range(first, first + len(self.passages[pid].sentences))

    @cached_property
    def vocabulary(self) -> list[str]:
        """Every token of the lexical index, for near matches of misspelt question words."""
        return list(self.passage_bm25.vocab_dict)

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency of a token over passages (0 for an unknown token)."""
        token_id = self.passage_bm25.vocab_dict.get(token)
        if token_id is None:
            return 0.0
        indptr = self.passage_bm25.scores["indptr"]
        df = int(indptr[token_id + 1] - indptr[token_id])
        n = len(self.passages)
        return float(np.log((n - df + 0.5) / (df + 0.5) + 1))


def _flat(vectors: np.ndarray) -> faiss.Index:
    search = faiss.IndexFlatIP(vectors.shape[1])
    search.add(vectors)
    return search


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
