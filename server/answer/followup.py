"""Resolve a follow-up question from the conversation's earlier questions, by rule (no language model)."""

import re
from dataclasses import dataclass

from wordfreq import zipf_frequency

from index.text import WORD
from server.answer.terms import asks, own_words

# Words that point back to something said before.
_POINTERS = {"it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those", "he", "she",
             "him", "her", "his", "there", "such", "one", "ones"}  # fmt: skip
# Pointers the subject may take the place of; he, she, him and her point to a person, and the subject is added instead
# ("Can she apply online? (a state ID card)").
_SUBSTITUTABLE = {"it", "they", "them", "this", "that", "these", "those"}
_PLURAL_POINTERS = {"they", "them", "these", "those"}
_OPENING = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?:(?:what|which|who|whom|why|when|where|how(?:\s+(?:many|much|long|often))?)"
    r"(?:\s+(?:kinds?|types?|sorts?)\s+of)?(?:['’]?s)?\s+)?"
    r"(?:is|are|was|were|does|do|did|can|could|should|would|will|has|have|about|tell me about)?\s*",
    re.IGNORECASE,
)
# What a question asks the asker may do to a thing ("how do I set the delay start", "how do I apply for unemployment"):
# the thing ("the delay start", "unemployment") is what a later "it" points to, never the asker. (A turn that tells
# what the asker did, "I lost my ID card", keeps it: "lost" finds the replacement's fee for "Is it expensive?".)
_ASKER_DOES = re.compile(r"^(?:i|we|you)\s+(?:(?:\w+\s+){1,3}?(?=(?:my|our|your|the|a|an)\s+\w)|\w+\s+(?:for|to|about|"
                         r"on|with|into)\s+(?=\w))", re.IGNORECASE)  # fmt: skip
# What a question asks of a thing's meaning ("what does error E2 mean"): the thing is "error E2".
_MEANS = re.compile(r"\s+(?:mean|stand for|refer to|look like)$", re.IGNORECASE)


def topic(question: str) -> str:
    """What a question is about: its words after the question phrase (and after what it asks the asker may do),
    without a trailing '?'."""
    whole = question.strip().rstrip("?!. ")
    text = _OPENING.sub("", whole, count=1).strip()
    if text != whole:
        text = _MEANS.sub("", _ASKER_DOES.sub("", text, count=1), count=1)
    return text or whole


_FEW = 2  # own words that may still lean on the conversation, when they are everyday words
_EVERYDAY_ZIPF = 4.5  # as frequent in English as apply, ready, week, cost
# Possessives that, after a word naming the question's own subject, point to it: "How do bees find their way?"
_POSSESSIVES = {"its", "their", "theirs", "his", "her"}


def turn_words(question: str) -> list[str]:
    """The turn's own words (server.answer.terms.own_words), lowercase, without pointers."""
    return [w.lower() for w in own_words(question) if w.lower() not in _POINTERS]


def naming(question: str) -> list[str]:
    """The question's own words that no conversation shares: rarer in English than everyday words ("paperwork",
    "certificate", "registration"; not "apply", "bring", "start")."""
    return [w for w in turn_words(question) if zipf_frequency(w, "en") < _EVERYDAY_ZIPF]


def leans_on_history(question: str) -> bool:
    """True when the question points back (it, they, this ...) or has too little of its own to search with: no own
    word, or one or two that any conversation uses ("How do I apply?", "What information do I need?"). A
    possessive after one of the question's own words points to that word, not back, and so does any pointer after
    more than two of them ("I need some kind of photo ID now. Do I have to pay for it?")."""
    words = [w.lower() for w in WORD.findall(question)]
    own = turn_words(question)
    if not own or (len(own) <= _FEW and not naming(question)):
        return True
    for n, word in enumerate(words):
        named = set(own) & set(words[:n])  # the question's own words before the pointer
        if word in _POINTERS and not ((word in _POSSESSIVES and named) or len(named) > _FEW):
            return True
    return False


def _context(turn: str) -> bool:
    """Whether an earlier turn names what the conversation is about: it stands alone, or names three things of its
    own whatever it points to ("Hi, I need to renew my license. Can I do it online?")."""
    return bool(turn.strip()) and (not leans_on_history(turn) or len(set(turn_words(turn))) > _FEW)


_LEAD = r"^\W*(?:(?:ok|okay|oh|well|hmm|and|so|but)\b\W*)*"  # "ok. what about ...", "oh and for ..."
_WHAT_ABOUT = re.compile(_LEAD + r"(?:what|how)\s+about\s+(?P<subject>[^,;]+?)(?:[,;]\s*(?P<rest>.*?))?[\s?!.]*$",
                         re.IGNORECASE)  # fmt: skip
_PERSON = re.compile(r"^(?:my|our|his|her|their)\s+\w+$", re.IGNORECASE)  # "what about my son": asked for him


# A turn that only qualifies the earlier question ("what about for kids?", "and in Texas?"): it asks it again, for
# them; it names no other subject (and asks nothing of its own: "In what year?").
_QUALIFIES = re.compile(_LEAD + r"(?:(?:what|how)\s+about\s+)?(?P<qualifier>(?:for|in|with|without|"
                        r"during|after|before|among|on|at|under|over|from|by)\s+(?!.*\b(?:what|which|how|when|where|who|whom|whose|"
                        r"why)\b).+?)[\s?!.]*$", re.IGNORECASE)  # fmt: skip


def _swap_subject(earlier: str, subject: str) -> str | None:
    """The earlier question asked of another subject: its last run of own words (the words it names its subject
    with) replaced ("What is the capacity of AAV?" with "lentiviruses": "What is the capacity of lentiviruses?")."""
    own = {w.lower() for w in own_words(earlier)}
    runs, current = [], []
    for match in WORD.finditer(earlier):
        if match.group(0).lower() in own:
            current.append(match)
        elif current:
            runs.append(current)
            current = []
    runs += [current] if current else []
    if not runs:
        return None
    start, end = runs[-1][0].start(), runs[-1][-1].end()
    return earlier[:start] + subject + earlier[end:]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A question made standalone: what it asks, and the conversation's subject added for the search."""

    asked: str  # the question; a pointer word may be replaced by the subject ("Is CRISPR still maturing?")
    context: str | None = None  # the subject, where it could not take a pointer's place
    subject_turn: int | None = None  # leaning on the conversation, the earlier turn that gave it its subject

    @property
    def query(self) -> str:
        return f"{self.asked} ({self.context})" if self.context else self.asked


def standalone(question: str, history: list[str]) -> Resolved:
    """The question made standalone: "what about for X?" (or "and for X?") asks the earlier question for X, "what
    about X?" asks it of X (X pointing back itself, "what about its safety?", is resolved as below); a pointer word
    is replaced by the latest earlier topic, or that topic is added as context."""
    qualifies = _QUALIFIES.match(question)
    if history and qualifies and not _POINTERS & {w.lower() for w in WORD.findall(qualifies["qualifier"])}:
        earlier = standalone(history[-1], history[:-1])
        return Resolved(f"{earlier.asked.rstrip(' ?!.')} {qualifies['qualifier']}?", earlier.context)
    about = _WHAT_ABOUT.match(question)
    if about and about["rest"] and asks(about["rest"]):  # "what about the photo, can i wear glasses in it"
        return _asked_of(about["rest"], about["subject"].strip())
    if history and about and _PERSON.match(about["subject"].strip()):
        earlier = standalone(history[-1], history[:-1])
        return Resolved(f"{earlier.asked.rstrip(' ?!.')} for {about['subject'].strip()}?", earlier.context)
    if history and about and not _POINTERS & {w.lower() for w in WORD.findall(about["subject"])}:
        earlier = standalone(history[-1], history[:-1])
        swapped = _swap_subject(earlier.asked, about["subject"].strip())
        return Resolved(swapped, earlier.context) if swapped else Resolved(question)
    if not history or not leans_on_history(question):
        return Resolved(question)
    turn = subject_turn(history, question)
    if turn is None:
        return Resolved(question)
    return _asked_of(question, topic(history[turn]), turn)


def _asked_of(question: str, subject: str, turn: int | None = None) -> Resolved:
    """The question asked of a subject: in place of its pointer word, or with the subject as context."""
    pointer = _pointer_to(subject, question)
    if len(subject.split()) <= 5 and pointer is not None:
        replaced = question[: pointer.start()] + subject + question[pointer.end() :]
        return Resolved(replaced, subject_turn=turn)
    return Resolved(question, subject, subject_turn=turn)


def subject_turn(history: list[str], question: str) -> int | None:
    """The latest earlier turn that names what the conversation is about (_context); where none does, the opening
    turn, if it has words of its own the question lacks ("What is a state ID?" names its subject in everyday
    words)."""
    named = next((n for n in range(len(history) - 1, -1, -1) if _context(history[n])), None)
    if named is None and history and set(turn_words(history[0])) - set(turn_words(question)):
        return 0
    return named


_PLURAL = re.compile(r"[^\W\d_]{2,}(?<![sui])s\W*$")  # vectors, AAVs; not class, virus, analysis


def _pointer_to(subject: str, question: str) -> re.Match | None:
    """The pointer word the subject takes the place of: the first that agrees with it in number ("how do they
    deliver it?" after "What is gene therapy?" points with "it"; "they" are the ones who deliver), else the first."""
    found = list(re.finditer(rf"\b({'|'.join(sorted(_SUBSTITUTABLE))})\b", question, re.IGNORECASE))
    plural = _PLURAL.search(subject) is not None
    agreeing = [m for m in found if (m.group(0).lower() in _PLURAL_POINTERS) == plural]
    return (agreeing or found or [None])[0]


def resolve(question: str, history: list[str]) -> str:
    """The question made standalone, as searched (standalone().query)."""
    return standalone(question, history).query
