"""A loaded index version: passages and sentences, searched by FAISS (vectors) and BM25 (words).

Nothing of a version is copied into the process but its vocabulary: the vectors, the vector searches, the BM25
scores and the units (index.units) are memory-mapped, so a server's workers and replicas on one machine share one
copy of them through the page cache, and opening a version reads almost nothing.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path

import bm25s
import faiss
import numpy as np

from index.initials import Initials, read_initials
from index.layout import (
    IndexDamaged,
    IndexNotBuilt,
    check_manifest,
    read_acronyms,
    read_layouts,
    read_manifest,
    read_searches,
    read_vectors,
    read_words,
)
from index.lexical import Lexical
from index.text import tokens
from index.units import COUNT, DOC, END, FIRST, SECTION, START, Documents, LazyUnits, Units
from index.versions import current_version
from ingest.units import Passage, Sentence

WORDS_KEPT = 65_536  # sentences whose tokens are remembered: a replica's memory stays bounded as questions come


@dataclass(frozen=True, slots=True)
class Words:
    """A sentence's stemmed tokens (index.text.tokens): in order, as a set, and as pairs of neighbours."""

    ordered: list[str]
    unique: frozenset[str]
    pairs: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, text: str) -> "Words":
        ordered = tokens(text)
        return cls(ordered, frozenset(ordered), frozenset(pairwise(ordered)))


@dataclass
class Store:
    """A loaded index version: what retrieval and answering read."""

    path: Path
    manifest: dict
    units: Units
    documents: Mapping[str, str]  # text by document id, decoded when asked for
    passages: Sequence[Passage]  # each made when indexed (index.units)
    sentences: Sequence[Sentence]
    sentence_passage: np.ndarray  # index into passages for each sentence
    sentence_offsets: np.ndarray  # id of each passage's first sentence
    passage_vectors: np.ndarray
    sentence_vectors: np.ndarray
    passage_search: faiss.Index
    sentence_search: faiss.Index
    passage_bm25: bm25s.BM25
    sentence_bm25: bm25s.BM25
    words: list[str]  # every word of the documents as written, lowercased: for misspelt question words
    acronyms: frozenset[str] | None = None  # what they write in capitals, lowercased (None: not kept by the version)
    initials: Initials | None = None  # their words' initials (index.initials; None: not kept by the version)

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
        except (OSError, EOFError, ValueError, KeyError, RuntimeError) as error:
            raise IndexDamaged(f"index at {path} is damaged ({error}): run `verbatim index` to rebuild") from error

    @classmethod
    def _read(cls, path: Path, manifest: dict) -> "Store":
        units = Units(path)
        passages = LazyUnits(units.passage_rows, units.passage, units.make_passage)
        sentences = LazyUnits(units.sentence_rows, units.sentence, units.make_sentence)
        passage_vectors, sentence_vectors = read_vectors(path)
        dim = manifest["model"]["dimension"]
        if passage_vectors.shape != (len(passages), dim) or sentence_vectors.shape != (len(sentences), dim):
            raise ValueError("vector counts do not match the passages")
        passage_search, sentence_search = read_searches(path, manifest)
        if (passage_search.ntotal, sentence_search.ntotal) != (len(passages), len(sentences)):
            raise ValueError("vector search does not match the passages")
        passage_bm25, sentence_bm25 = (bm25s.BM25.load(path / name, mmap=True, show_progress=False)
                                       for name in ("bm25_passages", "bm25_sentences"))  # fmt: skip
        for retriever in (passage_bm25, sentence_bm25):  # plain arrays over the mapping, as read_vectors says why
            retriever.scores.update({k: np.asarray(retriever.scores[k]) for k in ("data", "indices", "indptr")})
        if passage_bm25.scores["num_docs"] != len(passages) or sentence_bm25.scores["num_docs"] != len(sentences):
            raise ValueError("lexical index does not match the passages")
        return cls(path, manifest, units, Documents(units), passages, sentences, units.sentence_rows[:, 0],
                   units.passage_rows[:, FIRST], passage_vectors, sentence_vectors, passage_search, sentence_search,
                   passage_bm25, sentence_bm25, read_words(path), read_acronyms(path),
                   read_initials(path))  # fmt: skip

    def dense(self, query: np.ndarray, k: int, sentences: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosine similarities of the k nearest passages (or sentences), best first."""
        search = self.sentence_search if sentences else self.passage_search
        scores, ids = search.search(query.reshape(1, -1), min(k, search.ntotal))
        keep = ids[0] >= 0
        ids, scores = ids[0][keep], scores[0][keep]
        if self.manifest["search"]["sentences" if sentences else "passages"].get("storage") == "fp16":
            # similarities from the float vectors, not the search's half-precision copy of them
            scores = (self.sentence_vectors if sentences else self.passage_vectors)[ids] @ query.reshape(-1)
            order = np.argsort(-scores, kind="stable")
            ids, scores = ids[order], scores[order]
        return ids, scores

    def lexical(self, query_tokens: list[str], sentences: bool = False) -> np.ndarray:
        """BM25 score of every passage (or sentence) for the query's tokens."""
        return self._lexical(sentences).every(query_tokens)

    def lexical_top(self, query_tokens: list[str], k: int, sentences: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The k passages (or sentences) of highest positive BM25 score, best first, and their scores; what the
        top of lexical() holds, without scoring every unit (index.lexical)."""
        return self._lexical(sentences).top(query_tokens, k)

    def lexical_of(self, query_tokens: list[str], ids: np.ndarray, sentences: bool = False) -> np.ndarray:
        """The BM25 scores of the given passages (or sentences): lexical()[ids], scoring only those."""
        return self._lexical(sentences).of(query_tokens, ids)

    def _lexical(self, sentences: bool) -> Lexical:
        return self._sentence_lexical if sentences else self._passage_lexical

    @cached_property
    def _passage_lexical(self) -> Lexical:
        return Lexical(self.passage_bm25)

    @cached_property
    def _sentence_lexical(self) -> Lexical:
        return Lexical(self.sentence_bm25)

    def holding(self, query_tokens: list[str], sentences: bool = False) -> np.ndarray:
        """The passages (or sentences) that hold every one of the tokens, in order."""
        return self._lexical(sentences).holding(query_tokens)

    def has_term(self, token: str) -> bool:
        return token in self.passage_bm25.vocab_dict

    def sentence_words(self, sid: int) -> "Words":
        """The stemmed tokens of one sentence; the last WORDS_KEPT computed are remembered."""
        return self._words(sid)

    @cached_property
    def _words(self) -> Callable[[int], "Words"]:
        return lru_cache(maxsize=WORDS_KEPT)(lambda sid: Words.of(self.sentences[sid].text))

    @cached_property
    def layouts(self) -> dict[str, list]:
        """Where the lines of laid-out documents (PDFs) stand on their pages; read on first use (by the viewer)."""
        return read_layouts(self.path)

    def passage_at(self, doc_id: str, offset: int) -> Passage | None:
        """The passage of a document holding a text offset, if any."""
        if doc_id not in self.units.doc_number:
            return None
        pids = self.document_passages(doc_id)
        rows = self.units.passage_rows[pids]
        found = pids[(rows[:, START] <= offset) & (offset < rows[:, END])]
        return self.passages[int(found[0])] if len(found) else None

    def document_counts(self) -> dict[str, tuple[int, int]]:
        """Each document's passages and distinct sections (non-empty heading trails), from the offset arrays alone."""
        rows, units = self.units.passage_rows, self.units
        documents = len(units.doc_ids)
        passages = np.bincount(rows[:, DOC], minlength=documents) if len(rows) else np.zeros(documents, np.int64)
        pairs = np.unique(rows[:, [DOC, SECTION]], axis=0).tolist() if len(rows) else []
        named = [doc for doc, section in pairs if any(units.section(section))]
        sections = np.bincount(np.array(named, dtype=np.int64), minlength=documents)
        return {doc_id: (int(passages[i]), int(sections[i])) for i, doc_id in enumerate(units.doc_ids)}

    def passage_sentence_ids(self, pid: int) -> range:
        first = int(self.sentence_offsets[pid])
        return range(first, first + int(self.units.passage_rows[pid, COUNT]))

    def sentences_of(self, pids: np.ndarray) -> np.ndarray:
        """The ids of the given passages' sentences, passage by passage."""
        counts = self.units.passage_rows[pids, COUNT]
        before = np.cumsum(counts) - counts  # how many sentences of the given passages come before each one's
        return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(self.sentence_offsets[pids] - before, counts)

    def document_passages(self, doc_id: str) -> np.ndarray:
        """The ids of a document's passages, in order."""
        return np.flatnonzero(self.units.passage_rows[:, DOC] == self.units.doc_number[doc_id])

    def passages_using(self, token: str) -> int:
        """How many passages use a token (its document frequency over passages)."""
        token_id = self.passage_bm25.vocab_dict.get(token)
        indptr = self.passage_bm25.scores["indptr"]
        if token_id is None or token_id + 1 >= len(indptr):  # bm25s keeps an empty token past the last column
            return 0
        return int(indptr[token_id + 1] - indptr[token_id])

    def shares_using(self, token: str) -> dict[str, float]:
        """The share of each document's passages that use a token, for the documents that have passages."""
        documents = self.units.passage_rows[:, DOC]
        totals = np.bincount(documents, minlength=len(self.units.doc_ids))
        using = np.bincount(documents[self.holding([token])], minlength=len(totals))
        return {doc: float(using[n] / totals[n]) for n, doc in enumerate(self.units.doc_ids) if totals[n]}

    def tokens_used_by_more_than(self, count: float) -> list[str]:
        """The tokens more than count passages use, sorted."""
        used = np.diff(np.asarray(self.passage_bm25.scores["indptr"]))  # passages per token id
        common = set(np.flatnonzero(used > count).tolist())
        return sorted(t for t, i in self.passage_bm25.vocab_dict.items() if i in common) if common else []

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency of a token over passages (0 for an unknown token)."""
        if not self.has_term(token):
            return 0.0
        df, n = self.passages_using(token), len(self.passages)
        return math.log((n - df + 0.5) / (df + 0.5) + 1)
