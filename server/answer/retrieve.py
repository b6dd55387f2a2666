"""Hybrid retrieval: passages by fused dense and BM25 scores, then candidate sentences scored inside them."""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

from index.store import Store
from index.text import WORD, tokens
from server.answer.rerank import shipped as shipped_reranker
from server.answer.selector import Selector, shipped, sigmoid
from server.settings import Settings

RRF_K = 60
# What each candidate sentence is scored on (server.answer.selector's model reads them in this order).
FEATURES = ("dense", "lexical", "passage", "answer_type", "neighbour", "coverage", "bigrams", "novelty", "first",
            "window_coverage", "pointer", "section_coverage", "context_coverage", "names_missing", "length",
            "passage_rank", "lexical_raw", "date_match", "number_match", "name_match", "beyond", "dense_gap",
            "lexical_gap", "coverage_gap", "beyond_gap", "dense_rank")  # fmt: skip
# The last five are computed over all of a question's candidates: gaps to the best of these, and the dense rank.
_GAPS = ("dense", "lexical", "window_coverage", "beyond")
# The vector of a few words (a question's topic words), from the question encoder.
TopicVector = Callable[[str], np.ndarray]
# A question word more than this share of the best passages hold is their topic (retrieved_topic); part of what the
# selector was fitted on, so no setting.
RETRIEVED_TOPIC_SHARE = 0.5
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
_ASKS_NUMBER = re.compile(r"\bhow (many|much|long|old|far|large|big|often|heavy|tall|wide|deep|high|fast|loud|hot|"
                          r"warm|cold|thick|small|soon|expensive)\b|\bwhat (percent|percentage|number)"
                          r"|\bhow [a-z]+ (is|are|was|were) the\b", re.IGNORECASE)  # fmt: skip
# "Why", "how come", "what causes": a reason, which a sentence gives with "because", "due to", "so that" ...
_ASKS_REASON = re.compile(r"\bwhy\b|\bhow come\b|\bwhat (?:causes|caused|is the reason|are the reasons)\b", re.IGNORECASE)
_REASON = re.compile(r"\b(?:because|due to|since|as a result|so that|caused by|owing to|given that|thanks to|in order to|"
                     r"leads? to|led to|result(?:s|ed)? in|therefore|thus|hence)\b", re.IGNORECASE)  # fmt: skip
_ASKS_NAME = re.compile(r"\b(who|whom|whose|where)\b|\bwhich (country|city|state|person|company|group|team)",
                        re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Ranked:
    passages: list[tuple[int, float]]  # (passage id, fused score) best first
    sentences: list[tuple[int, float, float]]  # (sentence id, probability, dense similarity) best first (reranked)
    best: np.ndarray | None = None  # the best candidate's features, for the answer's confidence


def _fuse(dense: dict[int, float], lexical: dict[int, float], settings: Settings) -> dict[int, float]:
    ids = set(dense) | set(lexical)
    if settings.fusion == "rrf":
        rank_d = {i: r for r, i in enumerate(sorted(dense, key=dense.get, reverse=True))}
        rank_l = {i: r for r, i in enumerate(sorted(lexical, key=lexical.get, reverse=True))}
        worst = len(ids)
        return {i: 1 / (RRF_K + rank_d.get(i, worst)) + 1 / (RRF_K + rank_l.get(i, worst)) for i in ids}
    a = settings.dense_weight
    return {i: a * dense.get(i, 0.0) + (1 - a) * lexical.get(i, 0.0) for i in ids}


def _top(scores: np.ndarray, k: int, ids: np.ndarray | None = None) -> dict[int, float]:
    """The k highest positive scores, divided by the highest, by id (only the positive ones are partitioned: most
    of a large corpus shares no word with the question). The scores are of the given ids, or of every id."""
    positive = np.flatnonzero(scores > 0)
    if not positive.size:
        return {}
    values = scores[positive]
    ids = positive if ids is None else ids[positive]
    if ids.size > k:
        keep = np.argpartition(values, ids.size - k)[ids.size - k :]
        ids, values = ids[keep], values[keep]
    best = float(values.max())
    return {int(i): float(v) / best for i, v in zip(ids, values, strict=True)}


def asked_for(question: str) -> str | None:
    """What kind of thing the question asks for: "reason", "date", "number", "name", or None."""
    if _ASKS_REASON.search(question):
        return "reason"
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
    """Does the sentence hold the kind of thing the question asks for (a reason, a date, a number, a name it
    lacks)?"""
    if kind is None:
        return False
    if kind == "reason":
        return _REASON.search(sentence) is not None
    date, number, names = _holds(sentence)
    return date if kind == "date" else number if kind == "number" else bool(names - question_words)


def topic_words(store: Store, question: str, share: float) -> list[str]:
    """The question's words that more than a share of the passages use ("gene therapy" in a text about it): they
    name what the whole corpus is about, not what the question asks of it."""
    most = share * len(store.passages)
    return _words_of(question, lambda t: store.passages_using(t) > most)


def _words_of(question: str, common: Callable[[str], bool]) -> list[str]:
    """The question's words, as written, whose stems are all common."""
    return [w for w in WORD.findall(question) if (stems := tokens(w)) and all(common(t) for t in stems)]


def corpus_subject(store: Store, share: float) -> str:
    """The words more than a share of each document's passages use, as the documents write them ("gene therapy" of
    an article on it): what the documents are about. Empty where no word is that common (documents on many things,
    or a passport guide beside a longer one on child care assistance, which most of all the passages are about)."""
    stems = store.tokens_used_by_more_than(share * len(store.passages))
    stems = [t for t in stems if all(used > share for used in store.shares_using(t).values())]
    holders = store.holding(stems) if stems else []
    if not len(holders):
        return ""
    common = set(stems)
    words: list[str] = []
    for word in WORD.findall(store.passages[int(holders[0])].text):
        if word.isalpha() and (found := tokens(word)) and set(found) <= common and word.lower() not in words:
            words.append(word.lower())
    return " ".join(words)


def retrieved_topic(store: Store, question: str, query_tokens: list[str], passages: list,
                    settings: Settings) -> list[str]:  # fmt: skip
    """The question's words that more than RETRIEVED_TOPIC_SHARE of the best passages hold: "norovirus vaccine" of
    "who paid for the norovirus vaccine trial" over a paper on it, "gene therapy" over an article on it. They chose
    the passages; what the question asks of them is in its other words."""
    held = [frozenset().union(*(store.sentence_words(sid).unique for sid in store.passage_sentence_ids(pid)))
            for pid, _ in passages[: settings.top_passages]]  # fmt: skip
    most = RETRIEVED_TOPIC_SHARE * len(held)
    common = {t for t in set(query_tokens) if sum(t in words for words in held) > most}
    return _words_of(question, common.__contains__)


def beyond(query: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """The question's vector with its topic's direction taken out, of unit length: what it asks beyond the topic."""
    rest = query - float(query @ topic) * topic
    return rest / (float(np.linalg.norm(rest)) or 1.0)


def rank_passages(store: Store, query: np.ndarray, query_tokens: list[str], settings: Settings,
                  within: np.ndarray | None = None) -> list:  # fmt: skip
    """Passages by fused dense and BM25 scores, best first: of the whole corpus, or only those within (ids)."""
    if within is None:
        ids, sims = store.dense(query, settings.candidates)
        lexical = _top(store.lexical(query_tokens), settings.candidates)
    else:
        ids, sims = _nearest(store.passage_vectors, within, query, settings.candidates)
        lexical = _top(store.lexical_of(query_tokens, within), settings.candidates, within)
    fused = _fuse(dict(zip(ids.tolist(), sims.tolist(), strict=True)), lexical, settings)
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)


def _nearest(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Of the given ids, the k whose vectors are most similar to the query, best first, and their similarities."""
    sims = vectors[ids] @ query
    order = np.argsort(-sims, kind="stable")[:k]
    return ids[order], sims[order]


def candidates(store: Store, query: np.ndarray, passages: list, lexical: dict[int, float], settings: Settings,
               within: np.ndarray | None = None) -> list:  # fmt: skip
    """Sentences of the best passages, and the best sentences by themselves: dense (of the passages within, when
    given), and by BM25 among the sentences of the retrieved passages."""
    found = {s for pid, _ in passages[: settings.top_passages] for s in store.passage_sentence_ids(pid)}
    if within is None:
        found.update(store.dense(query, 10, sentences=True)[0].tolist())
    else:
        found.update(_nearest(store.sentence_vectors, store.sentences_of(within), query, 10)[0].tolist())
    found.update(s for s in sorted(lexical, key=lexical.get, reverse=True)[:10] if lexical[s] > 0)
    return sorted(found)


def sentence_lexical(store: Store, query_tokens: list[str], ids: list[int] | set[int]) -> dict[int, float]:
    """BM25 scores of these sentences, scoring only them."""
    ids = np.array(sorted(ids), dtype=np.int64)
    return dict(zip(ids.tolist(), store.lexical_of(query_tokens, ids, sentences=True).tolist(), strict=True))


def features(store: Store, question: str, query: np.ndarray, query_tokens: list[str], settings: Settings,
             topic_vector: TopicVector, within: np.ndarray | None = None,
             ) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Passages best first (of those within, when given), candidate sentence ids, their feature rows (FEATURES) and
    dense similarities. Sentences that can't be an answer's quote (a question, a bare title, a page number) are no
    candidates, and a passage with no other (a list of references, a running header) is none of the best: it would
    crowd out those that answer. Beside its similarity to the question, each candidate's to what the question asks
    beyond the retrieved passages' topic (retrieved_topic): a text on one topic has every sentence near "how
    expensive is gene therapy", and the one on price nearest "how expensive"."""
    passages = [(pid, score) for pid, score in rank_passages(store, query, query_tokens, settings, within)
                if any(quotable_shape(store, sid) for sid in store.passage_sentence_ids(pid))]
    top = passages[0][1] if passages and passages[0][1] > 0 else 1.0
    passage_score = {pid: score / top for pid, score in passages}
    passage_rank = {pid: n for n, (pid, _) in enumerate(passages)}
    retrieved = {s for pid, _ in passages for s in store.passage_sentence_ids(pid)}
    lexical = sentence_lexical(store, query_tokens, retrieved)  # BM25 of sentences only where it can matter
    ids = [sid for sid in candidates(store, query, passages, lexical, settings, within) if quotable_shape(store, sid)]
    lexical |= sentence_lexical(store, query_tokens, set(ids) - set(lexical))
    around = sorted({n for sid in ids for n in (sid - 1, sid, sid + 1) if 0 <= n < len(store.sentences)})
    similarity = dict(zip(around, (store.sentence_vectors[around] @ query).tolist(), strict=True)) if ids else {}
    sims = np.array([similarity[sid] for sid in ids], dtype=np.float32)
    topic = retrieved_topic(store, question, query_tokens, passages, settings)
    aim = beyond(query, topic_vector(" ".join(topic).lower())) if topic else query
    beyond_topic = (store.sentence_vectors[ids] @ aim).tolist() if ids else []
    # A word the documents never use weighs as their rarest word: no sentence covers it, so sentences that cover
    # only the question's other words ("gene therapy" of "how expensive is gene therapy") are not taken for whole.
    rarest = math.log((len(store.passages) - 0.5) / 1.5 + 1)
    idf = {t: store.idf(t) or rarest for t in set(query_tokens)}
    total_idf = sum(idf.values()) or 1.0
    asked = frozenset(query_tokens)
    bigrams = set(pairwise(query_tokens))
    top_lexical = max(lexical.values(), default=0.0) or 1.0
    kind, question_words = asked_for(question), frozenset(w.lower() for w in _WORDS.findall(question))
    names = {t for name in _NAME.findall(question) for t in tokens(name)}
    owner = store.sentence_passage
    rows = []
    for sid, aside in zip(ids, beyond_topic, strict=True):
        pid = int(owner[sid])
        words = store.sentence_words(sid)
        first = int(store.sentence_offsets[pid])
        window = words.unique | store.sentence_words(sid - 1).unique if sid > first else words.unique
        neighbours = [similarity[n] for n in (sid - 1, sid + 1) if n in similarity and owner[n] == pid]
        text = store.sentences[sid].text
        trail = _section_tokens(store.passages[pid].section)
        matched = answer_type_match(kind, question_words, text)
        rows.append((
            similarity[sid],
            lexical.get(sid, 0.0) / top_lexical,
            passage_score.get(pid, 0.0),
            float(matched),
            max(neighbours, default=0.0),
            sum(w for t, w in idf.items() if t in words.unique) / total_idf,
            len(bigrams & words.pairs) / len(bigrams) if bigrams else 0.0,
            len(words.unique - asked) / max(len(words.unique), 1),
            float(sid == first),
            sum(w for t, w in idf.items() if t in window) / total_idf,
            float(_points_back(text)),
            sum(w for t, w in idf.items() if t in trail) / total_idf,
            sum(w for t, w in idf.items() if t in window or t in trail) / total_idf,
            len(names - window) / len(names) if names else 0.0,
            math.log1p(len(text.split())),
            1.0 / (1 + passage_rank.get(pid, len(passages))),
            math.log1p(lexical.get(sid, 0.0)),
            float(matched and kind == "date"),
            float(matched and kind == "number"),
            float(matched and kind == "name"),
            aside,
        ))  # fmt: skip
    rows = np.array(rows, dtype=np.float32).reshape(-1, len(FEATURES) - len(_GAPS) - 1)
    return passages, np.array(ids, dtype=np.int64), _relative(rows), sims


def _relative(rows: np.ndarray) -> np.ndarray:
    """Each candidate against the question's others: its gap to the best dense similarity, lexical score and
    coverage, and its rank by similarity (a pointwise model sees one sentence at a time)."""
    if not len(rows):
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    gaps = [rows[:, FEATURES.index(c)] - rows[:, FEATURES.index(c)].max() for c in _GAPS]
    ranks = np.empty(len(rows), dtype=np.float32)
    ranks[np.argsort(-rows[:, 0], kind="stable")] = np.arange(len(rows), dtype=np.float32)
    return np.column_stack([rows, *gaps, 1.0 / (1.0 + ranks)]).astype(np.float32)


# A line labelled as the question it answers ("Problem: The dishes are not dry.", "Q: ..."): it restates the
# asker's trouble; its answer is the lines after it ("Cause: ...", "Solution: ...").
_ASKING_LABEL = re.compile(r"^\W*(?:problem|symptom|issue|question|q)\s*:", re.IGNORECASE)
# A line labelled as the answer to the line before it ("Cause: ...", "Solution: ...", "A: ..."): that line states a
# problem or asks (QA._labelled_answer).
ANSWER_LABEL = re.compile(r"^\W*(?:(?:possible |probable )?causes?|solutions?|remed(?:y|ies)|what to do|action|"
                          r"answer|a)\s*:", re.IGNORECASE)  # fmt: skip
_PAGE = re.compile(r"^\W*(page|p\.|pg\.?)?\s*[\divxlc]+(\s*(of|/)\s*\d+)?\W*$", re.IGNORECASE)
_BRACKETED_END = re.compile(r"\s*[(\[][^()\[\].!?]*[)\]]$")  # (song), not (in most cases.)
_FINAL = tuple(".!?:;\"”’)]…")


def unfinished(text: str) -> bool:
    """A sentence without final punctuation: a title, or a sentence a page break cut short."""
    return not text.strip().endswith(_FINAL)


@lru_cache(maxsize=200_000)
def unquotable(text: str, whole_block: bool) -> bool:
    """A sentence no answer quotes: a question ("What is CRISPR?", "Problem: The dishes are not dry."), a page
    number ("12", "Page 3 of 9"), or a bare title, a short line that is a whole paragraph of its own without final
    punctuation ("Gene delivery", "Stand by Me (song)")."""
    stripped = text.strip()
    asks = stripped.endswith("?") or _ASKING_LABEL.match(stripped) is not None
    if asks or _PAGE.match(stripped) or not any(ch.isalnum() for ch in stripped):
        return True
    # a title's last words in brackets finish no sentence: "Stand by Me (song)", "True Grit (1969 film)"
    bare = _BRACKETED_END.sub("", stripped)
    return whole_block and len(stripped.split()) <= 12 and (not bare or unfinished(bare))


# A section that lists the works a text cites: its entries name what those works are about ("Hepatotoxicity
# following administration of onasemnogene abeparvovec"), and answer nothing.
# ("Reference" alone names a manual's reference part, which answers.)
_REFERENCES = re.compile(r"^\W*(?:[\dIVX]+(?:\.\d+)*\.?\s+)?(?:references(?: and notes)?|notes and references|"
                         r"bibliography|works cited|literature cited|reference list|cited literature)\W*$",
                         re.IGNORECASE)  # fmt: skip


def quotable_shape(store: Store, sid: int) -> bool:
    """Whether a sentence may be quoted at all (unquotable); a table row always may, an entry of a list of
    references never, and the first part of a sentence a page break cut is no title (broken)."""
    passage = store.passages[int(store.sentence_passage[sid])]
    if any(_REFERENCES.match(heading) for heading in passage.section):
        return False
    if passage.kind == "row":
        return True
    return not unquotable(store.sentences[sid].text, len(passage.sentences) == 1) or broken(store, sid, sid + 1)


def broken(store: Store, a: int, b: int) -> bool:
    """Sentences a and b are one sentence cut by a page break (each part quoted as written, the page number in
    neither): a is left unfinished and b goes on in lowercase ("... Keep detergent out of the reach of children
    and do" | "not leave detergent in the dispenser between washes.")."""
    sentences, owner = store.sentences, store.sentence_passage
    if a < 0 or b >= len(sentences) or sentences[a].doc_id != sentences[b].doc_id or owner[a] == owner[b]:
        return False  # a break cuts a block: the parts are the last and first sentences of two passages
    if any(store.passages[int(owner[i])].kind == "row" for i in (a, b)):
        return False
    return unfinished(sentences[a].text) and sentences[b].text.lstrip()[:1].islower()


@lru_cache(maxsize=100_000)
def _section_tokens(section: tuple[str, ...]) -> frozenset[str]:
    return frozenset(tokens(" ".join(section)))


def rank(store: Store, question: str, query: np.ndarray, query_tokens: list[str], settings: Settings,
         topic_vector: TopicVector, selector: Selector | None = None, within: np.ndarray | None = None,
         ) -> Ranked:  # fmt: skip
    """Candidates (from the passages within, when given) ranked by the selector's logit that they hold the answer, its
    best few read again with the question by the reranker (server.answer.rerank) where one is shipped; each with the
    selector's probability."""
    selector = selector or shipped()
    passages, ids, rows, sims = features(store, question, query, query_tokens, settings, topic_vector, within)
    logits = selector.logits(rows)
    scores = sigmoid(logits)
    reranker = shipped_reranker() if settings.rerank_top else None
    if reranker is not None and len(ids):
        # The reranker decides the order; each candidate keeps the selector's calibrated probability, which decides
        # what is quotable (QA._quotable) and the answer's confidence.
        logits = reranker.rerank(store, question, ids, logits, settings.rerank_top)
    order = np.argsort(-logits, kind="stable")
    best = rows[order[0]] if len(order) else None
    return Ranked(passages, [(int(ids[i]), float(scores[i]), float(sims[i])) for i in order], best)
