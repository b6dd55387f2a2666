"""Hybrid retrieval: passages by fused dense and BM25 scores, then candidate sentences scored inside them."""

import re
from dataclasses import dataclass

import numpy as np

from index.store import Store
from server.settings import Settings

RRF_K = 60
_YEAR = re.compile(r"\b(1\d{3}|20\d{2})s?\b|\bcentur(y|ies)\b|\b(January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b")  # fmt: skip
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|"
                     r"thousand|million|billion|dozen|half|several)\b", re.IGNORECASE)  # fmt: skip
_NAME = re.compile(r"(?<=\S\s)[A-Z][\w'’-]+")
_ASKS_DATE = re.compile(r"\b(when|what (year|century|decade|date|time|period)|which (year|century))\b", re.I)
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
    """The k highest positive scores, divided by the highest, by id."""
    best = float(scores.max(initial=0.0))
    if best <= 0:
        return {}
    k = min(k, len(scores))
    ids = np.argpartition(-scores, k - 1)[:k]
    return {int(i): float(scores[i]) / best for i in ids if scores[i] > 0}


def answer_type_match(question: str, sentence: str) -> bool:
    """Does the sentence hold the kind of thing the question asks for (a date, a number, a name)?"""
    question_words = {w.lower() for w in re.findall(r"\w+", question)}
    if _ASKS_DATE.search(question):
        return bool(_YEAR.search(sentence))
    if _ASKS_NUMBER.search(question):
        return bool(_NUMBER.search(sentence))
    if _ASKS_NAME.search(question):
        return any(name.lower() not in question_words for name in _NAME.findall(sentence))
    return False


def rank(store: Store, question: str, query: np.ndarray, query_tokens: list[str], settings: Settings) -> Ranked:
    k = settings.candidates
    ids, sims = store.dense(query, k)
    dense = dict(zip(ids.tolist(), sims.tolist(), strict=True))
    lexical = _top(store.lexical(query_tokens), k)
    fused = _fuse(dense, lexical, settings)
    passages = sorted(fused.items(), key=lambda item: item[1], reverse=True)
    top = passages[0][1] if passages and passages[0][1] > 0 else 1.0
    passage_score = {pid: score / top for pid, score in passages}

    candidates = {s for pid, _ in passages[: settings.top_passages] for s in _sentence_ids(store, pid)}
    sentence_ids, _ = store.dense(query, 10, sentences=True)
    candidates.update(sentence_ids.tolist())
    sentence_lexical = store.lexical(query_tokens, sentences=True)
    candidates.update(_top(sentence_lexical, 10))
    chosen = np.fromiter(candidates, dtype=np.int64)
    sims = store.sentence_vectors[chosen] @ query
    similarity = dict(zip(chosen.tolist(), sims.tolist(), strict=True))
    top_lexical = float(sentence_lexical.max(initial=0.0)) or 1.0
    scored = []
    for sid in chosen.tolist():
        sentence = store.sentences[sid]
        pid = int(store.sentence_passage[sid])
        neighbours = [similarity.get(n, 0.0) for n in (sid - 1, sid + 1)
                      if 0 <= n < len(store.sentences) and store.sentence_passage[n] == pid]  # fmt: skip
        score = (settings.sentence_dense * similarity[sid]
                 + settings.sentence_lexical * float(sentence_lexical[sid]) / top_lexical
                 + settings.sentence_passage * passage_score.get(pid, 0.0)
                 + settings.sentence_type * answer_type_match(question, sentence.text)
                 + settings.sentence_neighbour * max(neighbours, default=0.0))  # fmt: skip
        scored.append((sid, score, similarity[sid]))
    scored.sort(key=lambda item: item[1], reverse=True)
    return Ranked(passages, scored)


def _sentence_ids(store: Store, pid: int) -> range:
    first = store.sentence_offsets[pid]
    return range(first, first + len(store.passages[pid].sentences))
