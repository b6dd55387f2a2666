"""The documents' words as one byte each, their initial and their kind, so that the words whose initials spell an
acronym (UK: United Kingdom; AAV: adeno-associated virus) are found without reading the text: a fifth of its size,
memory-mapped, scanned with numpy, pointing to the few documents that may spell it out.

A word is a run of letters; whitespace and hyphens between two words join them into a phrase, anything else breaks
it. A byte is kind * 32 + the initial's place in a-z; a run of digits, and a word whose initial is no ASCII letter
(OTHER), are bytes of their own. What find() returns is a superset of the documents that spell the acronym: the term checks
read those documents' text to decide (server.answer.terms)."""

import re
from pathlib import Path

import numpy as np
from wordfreq import zipf_frequency

from index.text import ENGLISH_ZIPF, STOPWORDS

INITIALS, DOCUMENT_INITIALS = "initials.bin", "document_initials.npy"
COMMON, CAPITAL, RARE, CAPITAL_RARE, STOP = range(
    5
)  # a lowercase word, a capitalized one, rare ones, a stop word
LETTERS = 5 * 32  # the bytes below this are words of letters
DIGITS, OTHER, BREAK = 253, 254, 255
_TOKEN = re.compile(r"([^\W\d_])[^\W\d_]*|(\d+)|([\s-]+)|.", re.DOTALL)


def _byte(match: re.Match[str], known: dict[str, str]) -> str:
    word = match.group(0)
    code = known.get(word)
    if code is None:
        code = chr(_code(match))
        if len(known) < 1 << 20:
            known[word] = code
    return code


def _code(match: re.Match[str]) -> int:
    initial, digits, _ = match.groups()
    if digits:
        return DIGITS
    if not initial:
        return BREAK
    if not initial.isascii():  # "İ".lower() is two characters, and no ASCII letter's case
        return OTHER
    letter = ord(initial.lower()) - ord("a")
    word = match.group(0).lower()
    if word in STOPWORDS:
        return STOP * 32 + letter
    capital, rare = initial.isupper(), zipf_frequency(word, "en") < ENGLISH_ZIPF
    return ((CAPITAL_RARE if capital else RARE) if rare else (CAPITAL if capital else COMMON)) * 32 + letter


def encode(text: str, known: dict[str, str] | None = None) -> bytes:
    """One byte a word of the text; a break byte for each other character but whitespace and hyphens."""
    known = {} if known is None else known
    return _TOKEN.sub(lambda m: "" if m.group(3) else _byte(m, known), text).encode("latin-1")


def write_initials(path: Path, texts: list[str]) -> None:
    """The initials of every document's text, in document order, and where each document's bytes start."""
    known: dict[str, str] = {}
    starts = [0]
    with open(path / INITIALS, "wb") as out:
        for text in texts:
            starts.append(starts[-1] + out.write(encode(text, known) + bytes([BREAK])))
    np.save(path / DOCUMENT_INITIALS, np.array(starts, dtype=np.int64))


class Initials:
    """A version's initials, memory-mapped."""

    def __init__(self, path: Path) -> None:
        self.starts = np.load(path / DOCUMENT_INITIALS, mmap_mode="r")
        size = int(self.starts[-1])
        self.codes = (
            np.memmap(path / INITIALS, dtype=np.uint8, mode="r") if size else np.zeros(0, dtype=np.uint8)
        )

    def find(self, slots: list[str | None]) -> np.ndarray:
        """The numbers of the documents that may hold a phrase of words with these initials (a-z, or another letter:
        any word whose initial is not ASCII; None for a numeral, a word or a number), any one word allowed between
        two of them (where the phrase allows a joining word: of, and, the ...), whose words are all capitalized or
        stop words, or one of which is rare in English: a superset of those that do, in document order."""
        codes = np.asarray(self.codes)
        first = slots[0]
        if not len(codes) or first is None:
            return np.zeros(0, dtype=np.int64)
        at = np.flatnonzero(_fits(codes, first))
        start, capitals, rare = at, _capital(codes[at]) | (codes[at] == OTHER), _rare(codes[at]) | (codes[at] == OTHER)
        for slot in slots[1:]:
            skip = np.flatnonzero(
                codes[np.minimum(at + 1, len(codes) - 1)] < LETTERS
            )  # a joining word between
            word, origin = np.concatenate([at + 1, at[skip] + 2]), np.concatenate([np.arange(len(at)), skip])
            inside = word < len(codes)
            word, origin = word[inside], origin[inside]
            kept = codes[word]
            fits = ((kept < LETTERS) | (kept == DIGITS)) if slot is None else _fits(kept, slot)
            word, origin, kept = word[fits], origin[fits], kept[fits]
            start = start[origin]
            # A numeral has no say on the phrase's kind; a word with a non-ASCII initial may be either kind.
            capitals = capitals[origin] & (_capital(kept) | (slot is None) | (kept == OTHER))
            rare = rare[origin] | ((_rare(kept) | (kept == OTHER)) & (slot is not None))
            at = word
        held = start[capitals | rare]
        return np.unique(np.searchsorted(self.starts, held, side="right") - 1)


def _fits(codes: np.ndarray, initial: str) -> np.ndarray:
    """Which bytes are words with this initial: an ASCII letter's, or any word's whose initial is not ASCII."""
    if not ("a" <= initial <= "z"):
        return codes == OTHER
    return (codes < LETTERS) & (codes % 32 == ord(initial) - ord("a"))


def _capital(codes: np.ndarray) -> np.ndarray:
    kind = codes // 32
    return (kind == CAPITAL) | (kind == CAPITAL_RARE) | (kind == STOP)


def _rare(codes: np.ndarray) -> np.ndarray:
    kind = codes // 32
    return (kind == RARE) | (kind == CAPITAL_RARE)


def read_initials(path: Path) -> Initials | None:
    """None for a version written before initials were kept."""
    return Initials(path) if (path / INITIALS).exists() else None
