"""Question words against the corpus: distinctive words and terms the documents never use, a question's own words,
and the qualifiers (negation, superlative, number, count, name) its evidence must hold."""

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from wordfreq import get_frequency_dict, top_n_list, zipf_frequency

from index.layout import passage_text_for_embedding
from index.store import Store
from index.text import ACRONYM, ENGLISH_ZIPF, PHRASING, STOPWORDS, WORD, is_stopword, stem

_COMMONEST_ZIPF = 5.7  # do, does, can, any, get, people: words of any question, whatever it asks
_PRONOUN_I = re.compile(r"I(['’](m|ve|d|ll))?")  # capitalized mid-question, yet no name: "How do I fix ...?"


def _distinctive(word: str, position: int, rare_zipf: float) -> bool:
    """A name, an acronym, a number or a rare word: something an answer would have to mention."""
    if any(ch.isdigit() for ch in word) or (len(word) > 1 and word.isupper()):
        return True
    if position > 0 and word[0].isupper() and not _PRONOUN_I.fullmatch(word):
        return True
    return zipf_frequency(word.lower(), "en") < rare_zipf


def _close(word: str, vocabulary: list[str]) -> bool:
    """Whether a word of five letters or more is a vocabulary word with at most a quarter of its letters edited
    (transpositions counting once), or one letter if the word is itself an English word (Californian: California,
    but Medicare is not medicine). Shorter words and acronyms must match exactly (FDA is not DNA), and so must
    numbers (12500 is not 12000)."""
    if len(word) < 5 or any(ch.isdigit() for ch in word):
        return False
    low = word.lower()
    cutoff = 1 - 1 / len(low) - 1e-6 if zipf_frequency(low, "en") >= ENGLISH_ZIPF else 0.75
    match = process.extractOne(low, vocabulary, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=cutoff)
    return match is not None


@cache
def _english() -> list[str]:
    """English's 30,000 commonest words of three letters or more, commonest first."""
    return [w for w in top_n_list("en", 30_000) if len(w) >= 3 and w.isalpha()]


@cache
def _common_english() -> list[str]:
    return [w for w in _english() if len(w) >= 5]


def load_word_lists() -> None:
    """Read the word lists the checks use (~0.1 s, once per process), so that it is done before the first question
    rather than while it waits."""
    get_frequency_dict("en", "best")  # as zipf_frequency calls it: lru_cache keys tell positional arguments apart
    _common_english()
    _english_by_initial()


# A word English text hardly ever uses (cels, srevice, Feburary: 0-1.9), where real words that are absent from the
# documents are commoner (headwear, unproven, topological: 2.4-3.0) and would be taken for misspellings of theirs
# (header, proven, theological).
_MISSPELLING_ZIPF = 2.0


def respelt(store: Store, text: str) -> str:
    """The text with each misspelt word written as the documents write it ("how do new genes get into your cels":
    cells, "Who was the Nrse leader?": Norse), or, lowercase, as common English does ("purhcased"): a misspelt word
    finds no passage by its letters and moves the question's vector away from the sentence that answers it. A word
    of four letters or more is misspelt when English hardly ever uses it (_MISSPELLING_ZIPF), the documents never
    do, and one letter edited (two from nine letters on; a transposition counting once) makes a word of theirs
    that opens with the same letter, or, in a lowercase word of six letters or more, the first letter alone
    ("fishwasher": dishwasher); of several, the one the documents use most."""
    return WORD.sub(lambda found: _respelt(store, found.group(), not text[: found.start()].strip()), text)


# British and American spellings of one word (licence / license, programme / program, colour / color ...).
_VARIANTS = ((r"ence$", "ense"), (r"ense$", "ence"), (r"our", "or"), (r"(?<=[^aeiou])or(?=s?$)", "our"), (r"re$", "er"),
             (r"er$", "re"), (r"is(e|ed|es|ing|ation)$", r"iz\1"), (r"iz(e|ed|es|ing|ation)$", r"is\1"),
             (r"yse$", "yze"), (r"yze$", "yse"), (r"mme$", "m"), (r"(?<=gra)m$", "mme"), (r"ogue$", "og"),
             (r"ll(ed|ing)$", r"l\1"), (r"(?<=[aeiou][^aeiou])l(ed|ing)$", r"ll\1"))  # fmt: skip


def _variant(store: Store, low: str) -> str | None:
    """The documents' spelling of a word they spell the other way (British or American), if any."""
    for pattern, replacement in _VARIANTS:
        other = re.sub(pattern, replacement, low)
        if other != low and _known(store, other):
            return other
    return None


def _cased(match: str, base: str) -> str:
    """A word written in the letter case of the one it replaces."""
    if acronym := ACRONYM.fullmatch(base):  # CIRSPR: CRISPR, AVVs: AAVs
        return match.upper() if len(acronym.group(1)) == len(base) else match[:-1].upper() + match[-1]
    return match[0].upper() + match[1:] if base[0].isupper() else match


def _respelt(store: Store, word: str, first: bool) -> str:
    """One word of respelt. Common English spells only a word in lowercase or opening the text: a capitalized word
    elsewhere is a name, no misspelling of an English word. A word the documents spell the other way (licence /
    license) is written as they do."""
    base = re.split(r"['’]", word, maxsplit=1)[0]
    low = base.lower()
    if len(base) < 4 or not base.isalpha() or is_stopword(word) or _known(store, base):
        return word
    if zipf_frequency(low, "en") >= _MISSPELLING_ZIPF:
        variant = _variant(store, low)
        return word if variant is None else _cased(variant, base) + word[len(base):]
    edits = 1 if len(base) < 9 else 2
    # Words of the same first letter, which a slip of the keyboard seldom changes (Mences is no misspelling of
    # fences): a slice of the documents' words, which go in order.
    begin = bisect_left(store.words, low[0])
    found = _edited(low, store.words[begin : bisect_left(store.words, chr(ord(low[0]) + 1), begin)], edits)
    if not found and base.islower() and len(base) >= 6:  # no name: a slip on the first letter ("fishwasher")
        found = [w for w in _first_slips(low) if _holds_word(store.words, w)]
    if found:
        match = max(found, key=lambda w: store.passages_using(stem(w)))
    elif base.islower() or (first and base[1:].islower()):  # the commonest of the closest: in frequency order
        match = next(iter(_edited(low, _english_by_initial().get(low[0], []), edits)), None)
    else:
        match = None
    if match is None:
        return word
    return _cased(match, base) + word[len(base):]


def _first_slips(low: str) -> list[str]:
    """The word with its first letter struck for another, dropped, doubled by another before it, or swapped with
    the second."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [*(c + low[1:] for c in letters if c != low[0]), low[1:], *(c + low for c in letters),
            low[1] + low[0] + low[2:]]  # fmt: skip


def _holds_word(words: list[str], word: str) -> bool:
    at = bisect_left(words, word)
    return at < len(words) and words[at] == word


def _edited(low: str, vocabulary: list[str], edits: int) -> list[str]:
    """The vocabulary words fewest edits away from a lowercase word, within edits, in vocabulary order."""
    found = process.extract(low, vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=edits, limit=None)
    least = min((distance for _, distance, _ in found), default=None)
    return [word for word, distance, _ in sorted(found, key=lambda f: f[2]) if distance == least]


@cache
def _english_by_initial() -> dict[str, list[str]]:
    """_english by first letter, commonest first."""
    by_initial: dict[str, list[str]] = {}
    for word in _english():
        by_initial.setdefault(word[0], []).append(word)
    return by_initial


def _misspelt(store: Store, word: str) -> bool:
    """A misspelling or another form of a word of the documents (srevice, Californian), or a lowercase misspelling
    of a common English word (purhcased): no distinctive term either way."""
    return _close(word, store.words) or (word.islower() and _close(word, _common_english()))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z])|(?<=[!?])\s+(?=\w)")  # "can she get one too? shes 9"
# Where a clause ends: a sentence's end, a comma, or "and", "but", "so" before a word that opens a clause (not
# "I take Zolgensma and Spinraza").
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+|[,;:]\s+|\s+(?:and|but|so)\s+(?=(?:i|i['’]\w+|my|we|our|want|wanted|need|"
                         r"needed|would|could|can|what|how|which|who|why|when|where|is|are|do|does|please)\b)",
                         re.IGNORECASE)  # fmt: skip
_INTERJECTION = re.compile(r"^\W*(?:(?:hi|hello|hey|oh|ok|okay|well|yes|yeah|no|thanks|thank you|so|also|and|but)"
                           r"\b\W*)*", re.IGNORECASE)  # fmt: skip
_FIRST_PERSON = re.compile(r"(?:i|i['’]?(?:m|ve)|i['’](?:d|ll)|me|my|we|we['’](?:re|ve)|our)\b",
                           re.IGNORECASE)  # im and ive typed without the apostrophe; not "ill", "id"
# Or what the asker is doing, without the I ("going away for 2 months", "moving next month"); not a preposition.
_DOING = re.compile(r"(?!(?:during|including|regarding|according|following|concerning|considering|excluding|"
                    r"pending|notwithstanding|barring|assuming|supposing|something|anything|nothing|everything)\b)"
                    r"[a-z]{2,}ing\b", re.IGNORECASE)  # fmt: skip
# Or whom the conversation is about ("he's not great with computers", "she has a 70% disability rating").
_THIRD_PERSON = re.compile(r"(?:he|he['’]s|she|she['’]s|his|her)\b", re.IGNORECASE)
# What makes a clause ask even when it opens with "I": a wish or need, a question word ("I need to renew my
# license", "I'd like to know how ...", "I don't know whether ...").
_WANTS = (r"want|wanted|need|needed|like to|wonder\w*|looking for|trying to|hoping|have to|has to|must|know|tell|help|"
          r"question")
_ASKS = re.compile(rf"\b(?:{_WANTS}|how|what|which|who|whom|whose|why|when|where|whether|if)\b", re.IGNORECASE)
_ASKS_OWN = re.compile(rf"\b(?:{_WANTS})\b", re.IGNORECASE)  # a told clause's "when", "if" ask nothing
# A clause that opens with its verb before its subject asks ("can i renew the kids passports by mail"), and so does
# one that bids ("Name two fairy tale creatures ...").
_INVERTED = re.compile(r"(?:can|could|do|does|did|is|are|am|was|were|will|would|should|shall|may|might|have|has)\s+"
                       r"(?:i|we|you|he|she|they|it|my|our|your|his|her|their|the|this|that|these|those|there)\b|"
                       r"(?:name|list|describe|explain|give|identify|define|compare)\b", re.IGNORECASE)  # fmt: skip


def _tells(clause: str, opening: bool = False) -> bool:
    """A clause that tells the asker's situation: it opens with I, my or we (or he, she, his, her: whom the
    conversation is about), or, opening the turn, with a verb's -ing form as chat drops the I ("going away for 2
    months, what should i do"), and asks nothing ("I work at Walmart in Dallas", "My name is Jessica Alvarez", "my
    last name changed when i got married", "he's not great with computers"; not "I want to know when", nor "During
    the war, who ...", nor "Who was killed, leading to the July Crisis?")."""
    said = _INTERJECTION.sub("", clause)
    opens = _FIRST_PERSON.match(said) or _THIRD_PERSON.match(said) or opening and _DOING.match(said) and not asks(said)
    return bool(opens) and not _ASKS_OWN.search(said)


def asks(clause: str) -> bool:
    """Whether a clause asks: with a question mark, a question word or wish, or its verb before its subject."""
    return bool(clause.rstrip().endswith("?") or _ASKS.search(clause) or _INVERTED.match(_INTERJECTION.sub("", clause)))


def asked_part(question: str, follows: bool = False) -> str:
    """What a user's turn asks: "I work for Acme in Ohio. Where are viral vectors grown?" asks the second sentence,
    "I work at Walmart in Dallas and want to know if I can get unemployment" its second clause; what the rest tells
    is the asker's situation, not a term the documents must hold. A turn with a question mark asks its questions; a
    clause that goes on from a told one without asking is told too ("I take Zolgensma, Spinraza and Evrysdi"). A
    turn that only tells is asked whole; following earlier turns ("I just moved here from Texas"), it tells the
    conversation's question more and asks nothing of its own. (What is told may hold the subject of an ask that
    names none: "My wife Maria changed her name. Can she renew online?", but also "I take Foozumab, what are the
    side effects?"; the told names are not read for missing terms either way.)"""
    parts = _SENTENCE_END.split(question.strip())
    asking = [p for p in parts if p.rstrip().endswith("?")]
    text = " ".join(asking) if asking and len(asking) < len(parts) else question
    told, kept = False, []
    for n, clause in enumerate(filter(str.strip, _CLAUSE_END.split(text))):
        told = _tells(clause, opening=not n) or (told and not asks(clause))
        kept += [] if told else [clause]
    if not kept:
        return "" if follows else question
    return " ".join(kept)


def missing_terms(store: Store, question: str, rare_zipf: float) -> list[str]:
    """Distinctive words of the question that occur nowhere in the corpus in any form, as the user wrote them: not
    as written, nor as its parts (CRISPR-Cas9: CRISPR, Cas9) or joined (Cas-9: Cas9), nor apart (YenYen: Yen Yen,
    BF110: Bf 110), nor as a misspelling, nor as an acronym of words the documents use (AAV: adeno-associated
    virus) or words whose acronym they use (United Kingdom: UK)."""
    found = WORD.findall(question)
    missing = []
    for position, word in enumerate(found):
        if word.lower() in STOPWORDS or _known(store, word):
            continue
        if not _distinctive(word, position, rare_zipf) or _misspelt(store, word) or word in missing:
            continue
        if "-" not in word and _forms(store).written_apart(word.lower()):
            continue
        if _spelled_out(store, word) or _abbreviated(store, found, position):
            continue
        if (spelled := spelled_number(word)) and _known(store, spelled):  # 27th: Twenty-seventh
            continue
        if (measure := _MEASURE.fullmatch(word)) and _known(store, measure.group(2)):  # 230v: "240 V", held later
            continue
        missing.append(word)
    return missing


_AGAIN = ("re", "pre")  # prefixes that say when, not what: "reapply" is to apply, again


def _known(store: Store, word: str) -> bool:
    """The word, its hyphenated parts or its hyphens dropped, or the word it says again or before (reapply: apply),
    is a term of the documents."""
    if store.has_term(stem(word)):
        return True
    low = word.lower().replace("-", "")
    if any(low.startswith(p) and len(low) - len(p) >= 4 and store.has_term(stem(low[len(p) :])) for p in _AGAIN):
        return True
    parts = [p for p in word.split("-") if p.lower() not in STOPWORDS]
    return "-" in word and (all(store.has_term(stem(p)) for p in parts) or store.has_term(stem(word.replace("-", ""))))


class _Forms:
    """What the documents' words give the term checks, read once per loaded index: hyphenated words by their
    joined form (crisprcas9: crispr-cas9), and the acronyms written in capitals (UK, AAV). A word written apart is
    looked for only in the passages (with their headings) that hold both its parts (the lexical index's postings),
    and an acronym's spelled-out words only in the documents whose initials may spell it (index.initials): at a
    million passages, reading all of the text for each new question word takes seconds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.words = store.words
        self.joined = {w.replace("-", ""): w for w in store.words if "-" in w}
        self.hyphenated = {w for w in store.words if "-" in w}
        self._acronyms: set[str] | frozenset[str] | None = store.acronyms
        self._spelled: dict[str, bool] = {}
        self._apart: dict[str, bool] = {}
        self.vocabulary = set(store.words)

    @property
    def acronyms(self) -> set[str] | frozenset[str]:
        """Kept by the index version when it is written; read from the documents' text for an older version."""
        if self._acronyms is None:
            self._acronyms = {a.lower() for text in self.store.documents.values() for a in ACRONYM.findall(text)}
        return self._acronyms

    def written_apart(self, word: str) -> bool:
        """Whether the documents write the word as two words (or hyphenated): "yen yen" for "yenyen". Two stop
        words ("inthe") are no such word."""
        if word not in self._apart:
            self._apart[word] = any(self._apart_as(word[:i], word[i:]) for i in range(2, len(word) - 1))
        return self._apart[word]

    def _apart_as(self, first: str, second: str) -> bool:
        if first not in self.vocabulary or second not in self.vocabulary:
            return False
        held = [stem(part) for part in (first, second) if part not in STOPWORDS]
        pattern = re.compile(rf"\b{re.escape(first)}[\s-]{re.escape(second)}\b", re.IGNORECASE)
        return bool(held) and any(pattern.search(passage_text_for_embedding(self.store.passages[int(pid)]))
                                  for pid in self.store.holding(held))  # fmt: skip

    def spelled(self, acronym: str) -> bool:
        """Whether the documents hold words whose initials spell the acronym: capitalized ones (United Kingdom,
        Food and Drug Administration), or lowercase ones one of which is a rare word, a technical term
        (adeno-associated virus), so that three common words in a row spell no acronym by chance."""
        if acronym not in self._spelled:
            self._spelled[acronym] = any(_initials_match(text, acronym) for text in self._may_spell(acronym))
        return self._spelled[acronym]

    def _may_spell(self, acronym: str) -> Iterable[str]:
        """The texts of the documents whose initials may spell the acronym out: all of them where the version kept
        no initials."""
        initials = self.store.initials
        documents = self.store.documents
        if initials is None:
            return documents.values()
        found = [initials.find([*letters, *([None] if numeral else [])]) for letters, numeral in _spellings(acronym)]
        numbers = np.unique(np.concatenate(found)) if found else ()
        return (documents[self.store.units.doc_ids[number]] for number in numbers)


_FORMS: dict[int, _Forms] = {}


def _forms(store: Store) -> _Forms:
    forms = _FORMS.get(id(store))
    if forms is None or forms.words is not store.words:
        if len(_FORMS) > 8:
            _FORMS.clear()
        forms = _FORMS[id(store)] = _Forms(store)
    return forms


_JOINERS = r"(?:(?:of|and|for|the|in|on|de)\s+)?"


_NUMERALS = {"1": "1|i|one|first", "2": "2|ii|two|second", "3": "3|iii|three|third", "i": "1|i|one|first",
             "ii": "2|ii|two|second", "iii": "3|iii|three|third"}  # fmt: skip
_NUMBERED = re.compile(r"(?P<letters>[a-z]{2,6}?)(?P<numeral>[123]|iii|ii|i)?")


def _spellings(acronym: str) -> list[tuple[str, str | None]]:
    """The initials an acronym's words may have, and the numeral it ends in, if any, that may be a word of its own
    (WW1, WWII: World War I)."""
    spellings: list[tuple[str, str | None]] = [(acronym.lower(), None)] if acronym.isalpha() else []
    numbered = _NUMBERED.fullmatch(acronym.lower())
    if numbered and numbered["numeral"]:
        spellings.append((numbered["letters"], numbered["numeral"]))
    return spellings


def _case(letter: str) -> str:
    """A letter's flags: ASCII letters are matched in either ASCII case only (not "ı" for i, "ſ" for s), as the
    version's initials hold them; others in either case."""
    return "?ai:" if letter.isascii() else "?i:"


def _initials_match(text: str, acronym: str) -> bool:
    """Whether the text spells the acronym out."""
    for letters, numeral in _spellings(acronym):
        words = [rf"({_case(ch)}{re.escape(ch)})[^\W\d_]*" for ch in letters]
        words += [rf"(?ai:{_NUMERALS[numeral]})"] if numeral else []
        pattern = r"\b" + (r"[\s-]+" + _JOINERS).join(words) + r"\b"
        for match in re.finditer(pattern, text):
            kept = [w for w in re.split(r"[\s-]+", match.group(0)) if w.lower() not in STOPWORDS]
            if all(w[0].isupper() or w[0].isdigit() for w in kept) or any(
                zipf_frequency(w.lower(), "en") < ENGLISH_ZIPF for w in kept
            ):
                return True
    return False


def _spelled_out(store: Store, word: str) -> bool:
    """An acronym (2 to 6 letters, a plural s aside) whose words the documents spell out."""
    letters = word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word
    return 2 <= len(letters) <= 8 and letters.isalnum() and _forms(store).spelled(letters.lower())


def _abbreviated(store: Store, words: list[str], position: int) -> bool:
    """Whether the word is one of two to six words of the question whose initials are an acronym the documents
    write in capitals (United Kingdom: UK)."""
    acronyms = _forms(store).acronyms
    for first in range(max(0, position - 5), position + 1):
        for last in range(max(first + 1, position), min(len(words), first + 6)):
            parts = [p for w in words[first : last + 1] for p in w.split("-") if p.lower() not in STOPWORDS]
            if 2 <= len(parts) <= 6 and "".join(p[0] for p in parts).lower() in acronyms:
                return True
    return False


def joined_compounds(store: Store, question: str) -> str:
    """The question with words typed without their hyphen (or with one) written as the documents write them:
    "crisprcas9" or "crispr cas9" as "crispr-cas9" when that is a word of the documents, "cas-9" as "cas9" when
    that is, so that both searches match it."""
    forms = _forms(store)
    if not forms.hyphenated:
        return question
    found = list(WORD.finditer(question))
    out, cursor, skip = [], 0, False
    for i, match in enumerate(found):
        if skip:
            skip = False
            continue
        word, replacement = match.group(0), None
        pair = f"{word}-{found[i + 1].group(0)}".lower() if i + 1 < len(found) else ""
        between = question[match.end() : found[i + 1].start()] if pair else ""
        if pair in forms.hyphenated and between.strip() == "":
            replacement, end, skip = pair, found[i + 1].end(), True
        elif "-" not in word and not store.has_term(stem(word)) and word.lower() in forms.joined:
            replacement, end = forms.joined[word.lower()], match.end()
        elif "-" in word and not store.has_term(stem(word)) and store.has_term(stem(word.replace("-", ""))):
            replacement, end = word.replace("-", ""), match.end()
        if replacement is not None:
            out += [question[cursor : match.start()], replacement]
            cursor = end
    return "".join(out) + question[cursor:] if out else question


_PERSONAL = re.compile(
    r"\bshould (i|we|he|she)\b|\b(i|we) should\b|\bwhat (would|do|should) you (recommend|suggest|advise)\b|"
    r"\b(right|safe|suitable|good|best|appropriate|an option|options|work|worth it|worth trying|possible|too late|"
    r"a good idea) for (me|us|my|him|her|them)\b|\bfor (me|us|my)\b|"
    r"\b(help|cure|fix|heal|treat|save|benefit) (me|us|him|her|my|our)\b|"
    r"\bmy (own )?(condition|son|daughter|child|children|kids?|baby|wife|husband|partner|spouse|mother|father|mom|mum|"
    r"dad|parents?|grand(son|daughter|child|children|mother|father|ma|pa|parents?)|brother|sister|siblings?|friend|"
    r"family|illness|disease|diagnosis|symptoms|case|situation|doctor|options|chances|prognosis|health|"
    r"eyesight|vision)\b|\bwhich (doctor|specialist|clinic)\b|"
    r"\b(i|i'?m|we|he|she)\b.{0,30}\b(a (good |suitable |possible )?candidate|eligible|qualify)\b|"
    r"\b(can|could|would|will|do|does) (i|we|he|she)\b.{0,40}\b(benefit|be treated|be cured|get (it|"
    r"treated|the|gene|this|that))\b",
    re.IGNORECASE,
)


_MEDICAL = re.compile(r"\b(doctors?|specialists?|clinics?|diagnos\w*|symptoms?|illness(es)?|diseases?|"
                      r"treat(ed|ing|ments?)?|therap\w*|medic(al|ines?|ations?)|cured?|cures|surgery|patients?)\b",
                      re.IGNORECASE)  # fmt: skip


def personal(question: str) -> bool:
    """Whether the question asks for advice about the asker's own case: "Should I try gene therapy?", "Is it right
    for my son?", "Should he get it?", "my condition", "Which doctor should I see?"."""
    return bool(_PERSONAL.search(question))


def medical(question: str) -> bool:
    """Whether the question names a medical matter (a doctor, a condition, a treatment ...)."""
    return bool(_MEDICAL.search(question))


# Words of chat that name nothing: greetings, fillers, and function words typed without their apostrophe.
_CHAT = frozenset({"hi", "hello", "hey", "oh", "ok", "okay", "yes", "yeah", "yep", "nope", "thanks", "thank",
                   "please", "pls", "plz", "thx", "btw", "tho", "lol", "um", "uh", "hmm", "wow", "cool", "great",
                   "sure", "alright", "crap", "u", "ur", "bc", "cuz", "gonna", "wanna", "gotta", "kinda", "actually",
                   "really", "just", "even", "also", "anyway", "basically", "now", "still", "already", "maybe",
                   "probably", "im", "ive", "dont", "doesnt", "didnt", "cant", "wont", "isnt", "arent", "wasnt",
                   "werent", "havent", "hasnt", "shouldnt", "couldnt", "wouldnt", "whats", "thats", "theres"})  # fmt: skip


def own_words(question: str) -> list[str]:
    """The words a question names its subject with: past the stop words, the words that phrase a question (work,
    use, tell ...), the words of chat (_CHAT) and the commonest of English (do, can, any, me)."""
    return [w for w in WORD.findall(question) if w.lower() not in STOPWORDS and w.lower() not in PHRASING
            and w.lower() not in _CHAT and zipf_frequency(w.lower(), "en") < _COMMONEST_ZIPF]  # fmt: skip


# A question pointing at its subject with a pronoun ("how much does it cost"), with nothing before it, asks about
# what the documents are about.
_POINTED = re.compile(r"\b(it|its|they|them|their|this|these|those)\b", re.IGNORECASE)


_BARE_WORDS = 2  # a question this short names only what it asks ("cost?", "side effects?")


def pointed(question: str) -> bool:
    """Whether the question points at its subject with a pronoun (_POINTED), or names only what it asks of it in a
    word or two ("cost?", "side effects?")."""
    return _POINTED.search(question) is not None or len(WORD.findall(question)) <= _BARE_WORDS


def foreign(store: Store, question: str) -> bool:
    """Whether none of the question's own words is a word of the documents or a misspelling of one: then they cannot
    answer it ("How do vaccines work?"), however close its vector lands. A question with no word of its own is left
    to the similarity floor."""
    own = own_words(question)
    if not own or any(_known(store, w) for w in own):
        return False
    return not any(_close(w, store.words) for w in own)


_NEGATION = {"not", "never", "no", "none", "nor", "neither", "without", "cannot"}
# Words that say what is not so without a negation: the evidence for "which city is not on the coast?" may read
# "with the exception of Riverside", and for "it was not part of it", "it had been excluded from it".
_NEGATING = {"except", "exception", "exceptions", "excepting", "exclude", "excluded", "excludes", "excluding"}
_SUPERLATIVE = re.compile(r"^(least|last|only|best|worst|fewest|\w{3,}est)$", re.IGNORECASE)
_NOT_SUPERLATIVE = {"interest", "west", "forest", "request", "test", "rest", "suggest", "honest", "harvest",
                    "protest", "contest", "guest", "nest", "chest", "invest", "digest", "arrest", "southwest",
                    "northwest", "midwest", "manifest", "modest"}  # fmt: skip
# A superlative of extent ("the longest I can delay it", "the earliest I can apply") is said by a bound ("by 1 to 24
# hours", "up to $450 a week", "at least 16 years old").
_UPPER = {"longest", "latest", "highest", "oldest", "furthest", "farthest"}
_LOWER = {"least", "fewest", "lowest", "smallest", "shortest", "earliest", "soonest", "youngest"}
_RANGE = r"\d[\d,.]*\s*(?:%\s*)?(?:to|-|–|and)\s*\$?\d"
_BOUND = {
    "upper": re.compile(rf"\b(?:up to|at most|(?:no|not|never) (?:more|longer|later|older) than|exceed(?:s|ed)?|"
                        rf"at the latest|a maximum of)\b|{_RANGE}", re.IGNORECASE),
    "lower": re.compile(rf"\b(?:at least|(?:no|not|never) (?:less|fewer|shorter|earlier|sooner|younger) than|"
                        rf"at the earliest|a minimum of)\b|{_RANGE}", re.IGNORECASE),
}  # fmt: skip
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NTH = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
        "twelve": "twelfth"}  # fmt: skip
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"}  # fmt: skip
_DECADE = re.compile(r"(\d{3}0)['’]?s")  # "1980s", "1800's"
_YEARS = re.compile(r"(?<![\d,.])\d{3,4}(?!\d|[,.]\d)")  # not of 2,011 or 19.5
# A measure typed with its unit ("230v", "5ghz", "20mm"), and a span of numbers the evidence states ("100-240 V").
_MEASURE = re.compile(r"(\d+(?:\.\d+)?)([a-z]{1,4})", re.IGNORECASE)
_SPAN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)(?!\d|\.\d)")
# A question that asks for a count or a share is not answered by evidence that holds no quantity at all (a digit
# inside a name, as in Cas9, is none).
_ASKS_COUNT = re.compile(r"\bhow many\b|\bwhat (percent|percentage|proportion|share|number|fraction)\b", re.IGNORECASE)
_QUANTITY = re.compile(r"\b\d|%|\b(" + "|".join(_ONES + _TENS[2:]) + r"|"
                       r"hundred|thousand|million|billion|trillion|dozen|half|quarter|third|single|several|"
                       r"both|double|twice|pair|couple|percent)s?\b", re.IGNORECASE)  # fmt: skip
# A question that asks which company (organization, hospital, country ...) or who found or made a thing is not
# answered by evidence that names none. Any other "who" is left out: its answer is often a role ("a qualified
# medical specialist"), not a name.
_ASKS_NAMED = re.compile(r"\b(what|which) (compan(y|ies)|organi[sz]ations?|firms?|universit(y|ies)|hospitals?|"
                         r"manufacturers?|brands?|countr(y|ies)|nations?|cit(y|ies))\b|\bwho (first )?(discovered|"
                         r"invented|founded|pioneered|coined)\b", re.IGNORECASE)  # fmt: skip
_CAPITALIZED = re.compile(r"(?<=[^\s|.!?]\s)[A-Z][\w'’-]*")  # opening no sentence or table cell
_DESCRIBING = re.compile(r"(describ|explain|known|fit|suit|represent|summar|characteri|defin|captur|illustrat)")


_WORKING = re.compile(r"(work|suit|fit|help|perform|respond)(s|ed|ing)?")
# "last" before one of these is a time ("last month", "last yr") or a surname ("my last name"), no superlative.
_TIMES = {"night", "week", "weekend", "month", "year", "time", "summer", "winter", "spring", "fall", "autumn",
          "semester", "term", "season", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
          "yr", "wk", "mo", "name"}  # fmt: skip
_DETERMINERS = {"the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that"}
_LASTING = {"it", "they", "does", "do", "did", "will", "would", "can", "could", "should", "might", "may", "to"}
_AFTER_LASTING = {"or", "for", "longer", "forever", "beyond", "after", "past", "through", "until", "into"}  # it lasts ...


def _idiom(words: list[str], i: int) -> bool:
    """A qualifier that is part of how the question is put, not of what it asks: "may or may not", "whether or
    not", "just the book, not the card", "if they say no", "what best describes", "does it work best", "does it
    last", "did the improvement last or wear off", "last year", "my last name"."""
    low = words[i].lower()
    if low == "no":  # an answer reported: "if they say no again"
        return i > 0 and words[i - 1].lower() in {"say", "says", "said", "saying", "tell", "told"}
    if low == "not":  # "whether or not", a contrast: "for just the book, not the card", and "why not" (the negation
        # is the one said before: "can gene therapy cure type 2 diabetes" then "why not tho")
        before = [w.lower() for w in words[max(0, i - 5) : i]]
        contrast = i + 1 < len(words) and words[i + 1].lower() in _DETERMINERS and bool({"just", "only"} & set(before))
        return "or" in before[-3:] or contrast or before[-1:] == ["why"]
    if low == "last":  # the verb ("how long does it last", "will the effects last"), or a time ("last month")
        before = [w.lower() for w in words[:i]]
        if i + 1 < len(words) and words[i + 1].lower() in _TIMES:
            return True
        verb = i + 1 < len(words) and words[i + 1].lower() in _AFTER_LASTING  # "did the improvement last or ..."
        return bool(before) and (before[-1] in _LASTING or "long" in before or verb and before[-1] not in _DETERMINERS)
    if low != "best":
        return False
    # "what best describes", and how well a thing does what it does: "which diseases does it work best for"
    return (i + 1 < len(words) and bool(_DESCRIBING.match(words[i + 1].lower()))) or (
        i > 0 and _WORKING.fullmatch(words[i - 1].lower()) is not None
    )


_NEGATING_PREFIXES = ("in", "un", "non", "im", "il", "ir", "dis")
# The endings of the words that in-, im-, il-, ir- and dis- negate (indirectly, impossible, informal, irregular);
# on others they are no negation (discovered, improved, informed).
_NEGATED_ENDINGS = ("able", "ible", "al", "ly", "ent", "ant", "ive", "ate", "ous", "ar", "ic", "ful")


def _unprefixed(word: str) -> str | None:
    """What a word negated by its prefix negates ("unofficially": officially, "non-binary": binary), or None."""
    low = word.lower()
    for prefix in ("non-", *_NEGATING_PREFIXES):
        base = low[len(prefix) :]
        if not low.startswith(prefix) or len(base) < 4 or low == "unless":
            continue
        if prefix in ("non-", "non", "un") or len(base) >= 5 and base.endswith(_NEGATED_ENDINGS):
            return base
    return None


def negated_tokens(store: Store, question: str) -> list[str]:
    """The documents' terms that say a negated word of the question in one word ("not eligible": ineligible, "can't
    be done": undone): searched beside the question's own, since neither the stem nor the vector links them."""
    words = WORD.findall(question)
    found = []
    for i, word in enumerate(words):
        low = word.lower()
        if low not in _NEGATION and not low.endswith(("n't", "n’t")):
            continue
        negated = next((w for w in words[i + 1 : i + 4] if not is_stopword(w)), None)
        if negated is None:
            continue
        found += [t for p in _NEGATING_PREFIXES if store.has_term(t := stem(p + negated.lower())) and t not in found]
    return found


def spelled_number(number: str) -> str | None:
    """A number under 100, or its ordinal, in words: "27" twenty-seven, "27th" twenty-seventh, "12th" twelfth."""
    found = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", number.lower())
    if found is None:
        return None
    n = int(found.group(1))
    words = _ONES[n] if n < 20 else _TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else "")
    if not found.group(2):
        return words
    head, _, last = words.rpartition("-")
    nth = _NTH.get(last) or (last[:-1] + "ieth" if last.endswith("y") else last + "th")
    return f"{head}-{nth}" if head else nth


def _number_said(number: str, evidence: str, said: set[str], century: bool = False, day: bool = False) -> bool:
    """A number of the question in the evidence: as digits or as a word ("the remaining 4": "the remaining four",
    "the 2nd single": "the second single", "on June 6th" (day): "on 6 June"), with its letters written apart
    ("BF110": "Bf 110"), or a time span by a year within it ("in the 1800's": "in 1897", "the 15th century"
    (century): "in 1424")."""
    low = number.lower()
    bare = re.sub(r"['’]s$", "", low)  # Maroon 5's
    spelled = spelled_number(bare)
    if bare in evidence.lower() or spelled and re.search(rf"\b{spelled}\b", evidence, re.IGNORECASE):
        return True
    if ordinal := _ORDINAL.fullmatch(low):
        n = int(ordinal.group(1))
        if day and ordinal.group(1) in said:
            return True
        return century and any(int(year) // 100 == n - 1 for year in _YEARS.findall(evidence))
    if decade := _DECADE.fullmatch(low):
        digits = decade.group(1)
        return any(year.startswith(digits[: max(2, len(digits.rstrip("0")))]) for year in _YEARS.findall(evidence))
    # a model or a code written apart or hyphenated
    if any(ch.isalpha() for ch in bare) and bare in re.sub(r"[\W_]+", "", evidence.lower()):
        return True
    # a measure within a range the evidence states ("230v": "100-240 V AC")
    measure = _MEASURE.fullmatch(bare)
    value = float(measure.group(1)) if measure else float(bare) if re.fullmatch(r"\d+(?:\.\d+)?", bare) else None
    return value is not None and any(float(a) <= value <= float(b) for a, b in _SPAN.findall(evidence))


def _age(words: list[str], i: int) -> bool:
    """Whether the i-th word is a number giving someone's age: "10 year old", "aged 65", "16yo"."""
    word = words[i].lower()
    if not word.isdigit():
        return re.fullmatch(r"\d+yo", word) is not None
    after = [w.lower() for w in words[i + 1 : i + 3]]
    return (after[:1] in (["year"], ["years"], ["yr"], ["yrs"]) and after[1:] == ["old"]) or (
        i > 0 and words[i - 1].lower() in ("age", "aged", "ages"))


def unsupported_qualifiers(question: str, evidence: str) -> list[str]:
    """Words that narrow what the question asks (a negation, a superlative, a number, a count, a name) and the
    evidence lacks.

    A question about what is *not* so, the *oldest* one, the year *1185*, *how many* there are, or *which company*
    did it, is not answered by a sentence that says nothing of it, however close the rest of its words are.
    """
    said = {w.lower() for w in re.findall(r"[\w'’]+", evidence)}
    asking = asks(question)  # a turn that only tells ("its not picking up the dirt anymore") tells its negation
    negated = any(w in _NEGATION or w in _NEGATING or w.endswith(("n't", "n’t")) for w in said)
    words = re.findall(r"[\w'’]+", question)
    found = []
    for i, word in enumerate(words):
        low = word.lower()
        if _idiom(words, i):
            continue
        if low in _NEGATION or low.endswith(("n't", "n’t")):
            # "not eligible" is said by "ineligible", "not likely" by "unlikely"; "never ending" written as one word
            # is a name's ("The NeverEnding Story"), no negation
            prefixed = any(p + w.lower() in said for p in _NEGATING_PREFIXES for w in words
                           if len(w) > 3 and w.lower() not in STOPWORDS)  # fmt: skip
            joined = i + 1 < len(words) and low + words[i + 1].lower() in said
            unsupported = asking and not (negated or prefixed or joined)
        elif (base := _unprefixed(word)) and base in said and low not in said:
            # the evidence says what the question's word negates, and negates nothing: "When was the service
            # unofficially launched?" of "it was officially launched on 1 October 1998"
            unsupported = not negated
        elif _age(words, i):
            # an age is held against the bounds the evidence sets ("can my 10 year old get a card": "under 13")
            unsupported = not _QUANTITY.search(evidence)
        elif any(ch.isdigit() for ch in word):
            beside = {w.lower() for w in words[max(i - 1, 0) : i + 2]}
            century = i + 1 < len(words) and words[i + 1].lower() in ("century", "centuries")
            unsupported = not _number_said(word, evidence, said, century, bool(beside & _MONTHS))
        else:
            superlative = _SUPERLATIVE.match(word) and low not in _NOT_SUPERLATIVE and (i == 0 or word[0].islower())
            unsupported = bool(superlative) and low not in said and not _bounded(low, evidence)  # not Everest
        if unsupported:
            found.append(word)
    count = _ASKS_COUNT.search(question)
    if count and not _QUANTITY.search(evidence):
        found.append(count.group(0))
    named = _ASKS_NAMED.search(question)
    if named and not _names_other_than(evidence, {w.lower() for w in words}):
        found.append(named.group(0))
    return found


def _bounded(superlative: str, evidence: str) -> bool:
    """Whether the evidence states the bound a superlative of extent asks for (_UPPER, _LOWER)."""
    side = "upper" if superlative in _UPPER else "lower" if superlative in _LOWER else None
    return side is not None and _BOUND[side].search(evidence) is not None


def _names_other_than(evidence: str, asked: set[str]) -> bool:
    """Whether the evidence names something the question does not (CRISPR-edited is the question's CRISPR)."""
    for name in _CAPITALIZED.findall(evidence):
        parts = {p.lower() for p in re.split(r"[-'’]", name) if p}
        if not parts & asked:
            return True
    return False
