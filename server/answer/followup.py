"""Resolve a follow-up question from the conversation's earlier questions, by rule (no language model)."""

import re

from index.text import WORD
from server.answer.terms import own_words

# Words that point back to something said before.
_POINTERS = {"it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those", "he", "she",
             "him", "her", "his", "there", "such", "one", "ones"}  # fmt: skip
_SUBSTITUTABLE = {"it", "they", "them", "this", "that", "these", "those", "he", "she", "him", "her"}
_OPENING = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?:(?:what|which|who|whom|why|when|where|how(?:\s+(?:many|much|long|often))?)"
    r"(?:\s+(?:kinds?|types?|sorts?)\s+of)?\s+)?"
    r"(?:is|are|was|were|does|do|did|can|could|should|would|will|has|have|about|tell me about)?\s*",
    re.IGNORECASE,
)


def topic(question: str) -> str:
    """What a question is about: its words after the question phrase, without a trailing '?'."""
    text = _OPENING.sub("", question.strip().rstrip("?!. "), count=1)
    return text.strip() or question.strip().rstrip("?!. ")


# Possessives that, after a word naming the question's own subject, point to it: "How do bees find their way?"
_POSSESSIVES = {"its", "their", "theirs", "his", "her"}


def leans_on_history(question: str) -> bool:
    """True when the question points back (it, they, this ...) or has too little of its own to search with. A
    possessive after one of the question's own words points to that word, not back."""
    words = [w.lower() for w in WORD.findall(question)]
    own = {w.lower() for w in own_words(question)} - _POINTERS
    if not own:
        return True
    for n, word in enumerate(words):
        if word in _POINTERS and not (word in _POSSESSIVES and own & set(words[:n])):
            return True
    return False


_WHAT_ABOUT = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?(?:what|how)\s+about\s+(?P<subject>.+?)[\s?!.]*$",
                         re.IGNORECASE)  # fmt: skip


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


def resolve(question: str, history: list[str]) -> str:
    """The question made standalone: "what about X?" asks the earlier question of X; a pointer word is replaced by
    the latest earlier topic, or that topic is added."""
    about = _WHAT_ABOUT.match(question)
    if history and about:
        earlier = resolve(history[-1], history[:-1])
        return _swap_subject(earlier, about["subject"].strip()) or question
    if not history or not leans_on_history(question):
        return question
    standalone = [q for q in history if q.strip() and not leans_on_history(q)]
    if not standalone:
        return question
    subject = topic(standalone[-1])
    pattern = re.compile(rf"\b({'|'.join(sorted(_SUBSTITUTABLE))})\b", re.IGNORECASE)
    if len(subject.split()) <= 5 and pattern.search(question):
        return pattern.sub(lambda _: subject, question, count=1)
    return f"{question} ({subject})"
