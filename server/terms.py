"""Question terms against the corpus: distinctive words the documents never use, and how much is covered."""

import re

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from wordfreq import zipf_frequency

from index.store import Store
from index.text import STOPWORDS, WORD, stem


def _distinctive(word: str, position: int, rare_zipf: float) -> bool:
    """A name, an acronym, a number or a rare word: something an answer would have to mention."""
    if any(ch.isdigit() for ch in word) or (len(word) > 1 and word.isupper()):
        return True
    if position > 0 and word[0].isupper():
        return True
    return zipf_frequency(word.lower(), "en") < rare_zipf


def _near(store: Store, word: str) -> bool:
    """A misspelling or another form of a word of the documents (srevice, purhcased, Californian): at most a
    quarter of its letters edited, transpositions counting once."""
    if len(word) < 5:  # short words and acronyms must match exactly: FDA is not DNA
        return False
    match = process.extractOne(word.lower(), store.words, scorer=DamerauLevenshtein.normalized_similarity,
                               score_cutoff=0.75)  # fmt: skip
    return match is not None


def missing_terms(store: Store, question: str, rare_zipf: float) -> list[str]:
    """Distinctive words of the question that occur nowhere in the corpus, as the user wrote them."""
    missing = []
    for position, word in enumerate(WORD.findall(question)):
        if word.lower() in STOPWORDS or store.has_term(stem(word)):
            continue
        parts = [p for p in word.split("-") if p.lower() not in STOPWORDS]
        if "-" in word and all(store.has_term(stem(p)) for p in parts):
            continue
        if _distinctive(word, position, rare_zipf) and not _near(store, word) and word not in missing:
            missing.append(word)
    return missing


_NEGATION = {"not", "never", "no", "none", "nor", "neither", "without", "cannot"}
_SUPERLATIVE = re.compile(r"^(least|last|only|best|worst|fewest|\w{3,}est)$", re.IGNORECASE)
_NOT_SUPERLATIVE = {"interest", "west", "forest", "request", "test", "rest", "suggest", "honest", "harvest",
                    "protest", "contest", "guest", "nest", "chest", "invest", "digest", "arrest", "southwest",
                    "northwest", "midwest", "manifest", "modest"}  # fmt: skip
_DESCRIBING = re.compile(r"(describ|explain|known|fit|suit|represent|summar|characteri|defin|captur|illustrat)")


def _idiom(words: list[str], i: int) -> bool:
    """A qualifier that is part of how the question is put, not of what it asks: "may or may not", "whether or
    not", "what best describes"."""
    before = words[i - 1].lower() if i > 0 else ""
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    low = words[i].lower()
    return (low == "not" and before == "or") or (low == "best" and bool(_DESCRIBING.match(after)))


def unsupported_qualifiers(question: str, evidence: str) -> list[str]:
    """Words that narrow what the question asks (a negation, a superlative, a number) and the evidence lacks.

    A question about what is *not* so, the *oldest* one, or the year *1185*, is not answered by a sentence that
    says nothing of it, however close the rest of its words are.
    """
    said = {w.lower() for w in re.findall(r"[\w'’]+", evidence)}
    negated = any(w in _NEGATION or w.endswith(("n't", "n’t")) for w in said)
    words = re.findall(r"[\w'’]+", question)
    found = []
    for i, word in enumerate(words):
        low = word.lower()
        if _idiom(words, i):
            continue
        if low in _NEGATION or low.endswith(("n't", "n’t")):
            if not negated:
                found.append(word)
        elif _SUPERLATIVE.match(word) and low not in _NOT_SUPERLATIVE and low not in said or any(ch.isdigit() for ch in word) and word not in evidence:
            found.append(word)
    return found
