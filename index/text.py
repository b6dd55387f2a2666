"""Word tokens for the lexical index and for term checks: lowercase, stop words out, Snowball-stemmed."""

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# A word written in capitals, an acronym (UK, AAV, AAVs)
ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")
ENGLISH_ZIPF = 3.0  # as frequent as this in English (once a million words): a word in its own right, no technical term
STOPWORDS = frozenset(STOPWORDS_EN) | {"s", "t", "whose", "whom", "which", "what", "who", "how", "why", "when"}
# Words that phrase a question rather than name its subject: "what is it used for?", "tell me more".
PHRASING = frozenset({"used", "use", "work", "works", "mean", "means", "cost", "costs", "made", "treat", "help",
                      "happen", "safe", "risk", "risks", "example", "examples", "else", "more", "much", "many",
                      "tell", "explain", "describe", "show", "give", "list", "detail", "details"})  # fmt: skip

# Words that only hedge or stress what a question asks ("how do they actually get the genes in", "is it quite
# safe"); stemmed, several are other words ("actual", "quit", "liter", "total") that a document may use.
HEDGES = frozenset({"actually", "really", "basically", "exactly", "honestly", "literally", "quite", "totally", "even",
                    "simply", "just", "kinda", "sorta", "definitely", "seriously", "truly", "anyway", "anyways"})  # fmt: skip


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_CLITICS = frozenset({"s", "re", "ve", "ll", "d", "m", "t"})


def is_stopword(word: str) -> bool:
    """A stop word, also with a clitic: what's, it's, they're, don't, isn't (but not children's)."""
    low = word.lower()
    if low in STOPWORDS:
        return True
    base, apostrophe, clitic = low.replace("’", "'").partition("'")
    if not apostrophe or clitic not in _CLITICS:
        return False
    return base in STOPWORDS or (clitic == "t" and base.endswith("n") and base[:-1] in STOPWORDS)


def words(text: str) -> list[str]:
    """The content words of text as written (case kept), stop words left out."""
    return [w for w in WORD.findall(text) if not is_stopword(w)]


# Ligatures a PDF's text may be extracted with ("speciﬁc"): the model's tokenizer reads them as other letters.
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


def for_model(text: str) -> str:
    """Text as the embedding model is given it: ligatures written as their letters."""
    return text.translate(_LIGATURES)


def fold(word: str) -> str:
    """Lowercase without accents: Hervé and Herve are one word."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1 << 16)  # a corpus repeats its words: a rebuild re-tokenizes every text for BM25
def stem(word: str) -> str:
    return _stemmer().stemWord(fold(word))


def question_tokens(text: str) -> list[str]:
    """A question's tokens, its hedges (HEDGES) left out: what it is searched with. A capitalized one within the
    question is a name's ("How well did Just Dance sell?")."""
    found = WORD.findall(text)
    return tokens(" ".join(w for i, w in enumerate(found) if w.lower() not in HEDGES or i > 0 and not w.islower()))


def tokens(text: str) -> list[str]:
    """Stemmed content words; hyphenated words also give their parts (CAR-T, beta-thalassemia)."""
    out = []
    for word in words(text):
        out.append(stem(word))
        if "-" in word:
            out += [stem(part) for part in word.split("-") if part.lower() not in STOPWORDS]
    return out
