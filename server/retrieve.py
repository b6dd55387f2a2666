"""Hybrid retrieval: passages by fused dense and BM25 scores, then candidate sentences scored inside them."""

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

from index.store import Store
from index.text import WORD, tokens
from server.settings import Settings

RRF_K = 60
# What each sentence is scored on; settings.sentence_weights holds one weight per feature, in this order.
FEATURES = ("dense", "lexical", "passage", "answer_type", "neighbour", "coverage", "bigrams", "novelty", "first",
            "window_coverage", "pointer")
POINTER = re.compile(r"^\W*(but |and |yet )?(this|these|they|it|its|that|those|such|he|she|his|her|their|both)\b", re.IGNORECASE)
# A sentence that carries on from the one before it ("But a storm dispersed the fleet.").
CONTINUES = re.compile(r"^\W*(but|however|thus|therefore|hence|so|yet|instead|then|also|this|these|they|it|its|that|"
                       r"those|such|he|she|his|her|their|both)\b", re.IGNORECASE)  # fmt: skip
_YEAR = re.compile(r"\b(1\d{3}|20\d{2})s?\b|\bcentur(y|ies)\b|\b(January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b")  # fmt: skip
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|"
                     r"thousand|million|billion|dozen|half|several)\b", re.IGNORECASE)  # fmt: skip
_WORDS = re.compile(r"\w+")
_NAME = re.compile(r"(?<=\S\s)[A-Z][\w'’-]+")
# "When" asks for a date where it opens the question (or its last clause), not in "what is it called when ...".
_ASKS_DATE = re.compile(r"(^\W*|[,;:?]\s*|\bsince )when\b|\b(what (year|century|decade|date|time|period)|which "
                        r"(year|century))\b", re.IGNORECASE)  # fmt: skip
_ASKS_NUMBER = re.compile(r"\bhow (many|much|long|old|far|large|big|often)\b|\bwhat (percent|percentage|number)"
                          r"|\bhow [a-z]+ (is|are|was|were) the\b", re.IGNORECASE)  # fmt: skip
_ASKS_NAME = re.compile(r"\b(who|whom|whose|where)\b|\bwhich (country|city|state|person|company|group|team)",
                        re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Ranked:
    passages: list[tuple[int, float]]  # (passage id, fused score) best first
    sentences: list[tuple[int, float, float]]  # (sentence id, score, dense similarity) best first


def _fuse(dense: dict[int, float], lexical: dict[int, float], settings: Settings) -> dict[int, float]:
    ids = set(dense) | set(lexical)
    if settings.fusion == "rrf":
        rank_d = {i: r for r, i in enumerate(sorted(dense, key=dense.get, reverse=True))}
        rank_l = {i: r for r, i in enumerate(sorted(lexical, key=lexical.get, reverse=True))}
        worst = len(ids)
        return {i: 1 / (RRF_K + rank_d.get(i, worst)) + 1 / (RRF_K + rank_l.get(i, worst)) for i in ids}
    a = settings.dense_weight
    return {i: a * dense.get(i, 0.0) + (1 - a) * lexical.get(i, 0.0) for i in ids}


def _top(scores: np.ndarray, k: int) -> dict[int, float]:
    """The k highest positive scores, divided by the highest, by id (only the positive ones are partitioned: most
    of a large corpus shares no word with the question)."""
    ids = np.flatnonzero(scores > 0)
    if not ids.size:
        return {}
    values = scores[ids]
    if ids.size > k:
        keep = np.argpartition(values, ids.size - k)[ids.size - k :]
        ids, values = ids[keep], values[keep]
    best = float(values.max())
    return {int(i): float(v) / best for i, v in zip(ids, values, strict=True)}


def asked_for(question: str) -> str | None:
    """What kind of thing the question asks for: "date", "number", "name", or None."""
    if _ASKS_DATE.search(question):
        return "date"
    if _ASKS_NUMBER.search(question):
        return "number"
    return "name" if _ASKS_NAME.search(question) else None


@lru_cache(maxsize=200_000)
def _holds(sentence: str) -> tuple[bool, bool, frozenset[str]]:
    """Whether a sentence holds a date, a number, and which capitalized names (lowercased) it has."""
    names = frozenset(name.lower() for name in _NAME.findall(sentence))
    return bool(_YEAR.search(sentence)), bool(_NUMBER.search(sentence)), names


@lru_cache(maxsize=200_000)
def _points_back(sentence: str) -> bool:
    return bool(POINTER.match(sentence))


def answer_type_match(kind: str | None, question_words: frozenset[str], sentence: str) -> bool:
    """Does the sentence hold the kind of thing the question asks for (a date, a number, a name it lacks)?"""
    if kind is None:
        return False
    date, number, names = _holds(sentence)
    return date if kind == "date" else number if kind == "number" else bool(names - question_words)


def topic_words(store: Store, question: str, share: float) -> list[str]:
    """The question's words that more than a share of the passages use ("gene therapy" in a text about it): they
    name what the whole corpus is about, not what the question asks of it."""
    most = share * len(store.passages)
    return [w for w in WORD.findall(question)
            if (stems := tokens(w)) and all(store.passages_using(t) > most for t in stems)]  # fmt: skip


def rank_passages(store: Store, query: np.ndarray, query_tokens: list[str], settings: Settings) -> list:
    ids, sims = store.dense(query, settings.candidates)
    dense = dict(zip(ids.tolist(), sims.tolist(), strict=True))
    fused = _fuse(dense, _top(store.lexical(query_tokens), settings.candidates), settings)
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)


def candidates(store: Store, query: np.ndarray, passages: list, lexical: np.ndarray, settings: Settings) -> list:
    """Sentences of the best passages, and the best sentences by themselves, dense and lexical."""
    found = {s for pid, _ in passages[: settings.top_passages] for s in store.passage_sentence_ids(pid)}
    found.update(store.dense(query, 10, sentences=True)[0].tolist())
    found.update(_top(lexical, 10))
    return sorted(found)


def features(store: Store, question: str, query: np.ndarray, query_tokens: list[str],
             settings: Settings) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Passages best first, candidate sentence ids, their feature rows (FEATURES) and dense similarities."""
    passages = rank_passages(store, query, query_tokens, settings)
    top = passages[0][1] if passages and passages[0][1] > 0 else 1.0
    passage_score = {pid: score / top for pid, score in passages}
    lexical = store.lexical(query_tokens, sentences=True)
    ids = candidates(store, query, passages, lexical, settings)
    around = sorted({n for sid in ids for n in (sid - 1, sid, sid + 1) if 0 <= n < len(store.sentences)})
    similarity = dict(zip(around, (store.sentence_vectors[around] @ query).tolist(), strict=True)) if ids else {}
    sims = np.array([similarity[sid] for sid in ids], dtype=np.float32)
    idf = {t: store.idf(t) for t in set(query_tokens)}
    total_idf = sum(idf.values()) or 1.0
    asked = frozenset(query_tokens)
    bigrams = set(pairwise(query_tokens))
    top_lexical = float(lexical.max(initial=0.0)) or 1.0
    kind, question_words = asked_for(question), frozenset(w.lower() for w in _WORDS.findall(question))
    owner = store.sentence_passage
    rows = []
    for sid in ids:
        pid = int(owner[sid])
        words = store.sentence_words(sid)
        first = int(store.sentence_offsets[pid])
        window = words.unique | store.sentence_words(sid - 1).unique if sid > first else words.unique
        neighbours = [similarity[n] for n in (sid - 1, sid + 1) if n in similarity and owner[n] == pid]
        text = store.sentences[sid].text
        rows.append((
            similarity[sid],
            float(lexical[sid]) / top_lexical,
            passage_score.get(pid, 0.0),
            float(answer_type_match(kind, question_words, text)),
            max(neighbours, default=0.0),
            sum(w for t, w in idf.items() if t in words.unique) / total_idf,
            len(bigrams & words.pairs) / len(bigrams) if bigrams else 0.0,
            len(words.unique - asked) / max(len(words.unique), 1),
            float(sid == first),
            sum(w for t, w in idf.items() if t in window) / total_idf,
            float(_points_back(text)),
        ))  # fmt: skip
    return passages, np.array(ids, dtype=np.int64), np.array(rows, dtype=np.float32).reshape(-1, len(FEATURES)), sims


def rank(store: Store, question: str, query: np.ndarray, query_tokens: list[str], settings: Settings) -> Ranked:
    passages, ids, rows, sims = features(store, question, query, query_tokens, settings)
    scores = rows @ np.asarray(settings.sentence_weights, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")
    return Ranked(passages, [(int(ids[i]), float(scores[i]), float(sims[i])) for i in order])
