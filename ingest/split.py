"""Sentences (pysbd, a rule-based segmenter) and passages, each with offsets into its document's text."""

import re
from functools import lru_cache
from itertools import pairwise

import pysbd

from ingest.plain import is_page_number, row_context
from ingest.units import CITED_NUMBERS, Block, Document, Passage, Sentence, page_at

# The regex a segmenter is measured against: split after . ! ? before whitespace and a capital or quote.
NAIVE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"“(A-Z])")
# Abbreviations pysbd takes for a sentence's end, by what must follow for the sentence to go on (lowercase):
# anything, a number, a name.
_GOES_ON = frozenset({"approx.", "cf.", "e.g.", "i.e.", "incl.", "resp.", "supp.", "suppl.", "viz.", "vs."})
_BEFORE_NUMBER = frozenset(
    {"c.", "ca.", "ch.", "eq.", "eqs.", "est.", "fig.", "figs.", "no.", "nos.", "p.", "pp.", "ref.", "refs.", "sec.",
     "sect.", "tab.", "vol."}
)
_CITATION = re.compile(r"\[\d[\d,;\s–-]*\]\W*")  # a piece that is only a numbered reference: "Li et al. | [12]."
_BEFORE_NAME = frozenset(
    {"adm.", "capt.", "cmdr.", "col.", "cpl.", "dr.", "fr.", "gen.", "gov.", "hon.", "lt.", "maj.", "mr.", "mrs.",
     "ms.", "mt.", "pres.", "prof.", "pvt.", "rep.", "rev.", "sen.", "sgt.", "st."}
)
# Reference numbers after a sentence's full stop, which pysbd reads on into the next ("visit.12,13 The rate").
_CITED_END = re.compile(CITED_NUMBERS + r"(?=\s+[\"“(A-Z])")
_CLOSERS = '"”’)]'
# A reply of one word ("Yes.", "No.", "Sometimes.") says nothing without the sentence after it, which it opens (a
# lowercase word is the end of a sentence a page break cut).
_REPLY = re.compile(r"[\"“]?[A-Z][a-z]*[.!]")
_OPENERS = "([\"“‘'"
_WRAPPED = 0.6  # a line this share of its block's widest line or more was broken by the width, not the writer


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _spans(flowing: str, start: int, pieces: list[str]) -> list[tuple[int, int]] | None:
    """Locate each piece in flowing (the text from start) in order; None when one isn't found as written."""
    spans, cursor = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = flowing.find(piece, cursor)
        if found < 0:
            return None
        spans.append((start + found, start + found + len(piece)))
        cursor = found + len(piece)
    return spans


def _soft(line: str, following: str, widest: int) -> bool:
    """A line break inside a sentence: pysbd ends a sentence at each, but wrapped lines break anywhere."""
    ended = line.rstrip(_CLOSERS).endswith((".", "!", "?"))  # pysbd then decides, as in running text
    return ended or following[:1].islower() or line.endswith("-") or len(line) >= _WRAPPED * widest


def _flowing(chunk: str) -> str:
    """The chunk with its soft line breaks made spaces; the same length, so offsets found in it hold."""
    if "\n" not in chunk:
        return chunk
    lines = chunk.replace("\r", " ").split("\n")  # pysbd ends a sentence at a carriage return too
    widest = max(len(line.rstrip()) for line in lines)
    kept = [i for i, line in enumerate(lines) if line.strip() and not is_page_number(line)]
    breaks = set(range(len(lines) - 1))  # the break after line i, hard until shown soft
    for i, j in pairwise(kept):
        if _soft(lines[i].rstrip(), lines[j].lstrip(), widest):
            breaks -= set(range(i, j))
    return "".join(line + ("\n" if i in breaks else " ") for i, line in enumerate(lines))[: len(chunk)]


def _goes_on(tail: str, piece: str) -> bool:
    """pysbd ended a piece (its tail given) where its sentence goes on: before a lowercase word or a piece that is
    only a numbered reference, or after an abbreviation."""
    first = piece[:1]
    if first.islower() or _CITATION.fullmatch(piece):
        return True
    word = tail.rsplit(None, 1)[-1].lstrip(_OPENERS).lower()
    if word in _BEFORE_NUMBER:
        return first.isdigit()
    return word in _GOES_ON or (word in _BEFORE_NAME and first.isupper())


def _rejoined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans merged where a sentence goes on past a piece's end, or a one-word reply opens the next (_REPLY); the
    gap between them is the text's own."""
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and (_REPLY.fullmatch(text[merged[-1][0] : merged[-1][1]])
                       or _goes_on(text[max(merged[-1][0], merged[-1][1] - 16) : merged[-1][1]], text[a:b])):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _cited_ends(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans split after each sentence end followed by reference numbers (_CITED_END)."""
    out = []
    for a, b in spans:
        for end in (m.end() for m in _CITED_END.finditer(text, a, b)):
            out.append((a, end))
            a = end + len(text[end:b]) - len(text[end:b].lstrip())
        out.append((a, b))
    return out


def naive_sentences(text: str) -> list[str]:
    return [piece for piece in NAIVE_BOUNDARY.split(text) if piece.strip()]


def split_sentences(doc_id: str, text: str, start: int, end: int) -> list[Sentence]:
    """The sentences of text[start:end]; falls back to the regex if the segmenter altered the text."""
    flowing = _flowing(text[start:end])
    spans = _spans(flowing, start, _segmenter().segment(flowing)) or _spans(
        flowing, start, naive_sentences(flowing)
    )
    return [Sentence(doc_id, a, b, text[a:b]) for a, b in _cited_ends(text, _rejoined(text, spans or [(start, end)]))]


def _context(document: Document, block: Block) -> str:
    """What retrieval reads besides the passage: its section trail, and a row's cells named by the header."""
    trail = " > ".join(part for part in block.section if part)
    if block.kind == "row":  # from its line's start: the columns of a row over several lines line up from there
        line = document.text.rfind("\n", 0, block.start) + 1
        start = line if not document.text[line : block.start].strip() else block.start
        return f"{trail}\n{row_context(block.header, document.text[start : block.end])}".strip()
    return trail


def block_passages(document: Document, block: Block, max_chars: int) -> list[Passage]:
    """A block as passages of whole consecutive sentences, each at most max_chars long where it can be."""
    if block.kind == "row":  # a table row stays whole: one sentence, one passage
        sentences = [
            Sentence(document.doc_id, block.start, block.end, document.text[block.start : block.end])
        ]
    else:
        sentences = split_sentences(document.doc_id, document.text, block.start, block.end)
    groups: list[list[Sentence]] = [[]]
    for sentence in sentences:
        if groups[-1] and sentence.end - groups[-1][0].start > max_chars:
            groups.append([])
        groups[-1].append(sentence)
    context = _context(document, block)
    return [
        Passage(
            doc_id=document.doc_id,
            start=group[0].start,
            end=group[-1].end,
            text=document.text[group[0].start : group[-1].end],
            sentences=tuple(group),
            section=block.section,
            page=page_at(document.layout, group[0].start, block.page),  # a paragraph may run on
            header=block.header,
            kind=block.kind,
            context=context,
        )
        for group in groups
    ]


def passages(document: Document, blocks: list[Block], max_chars: int = 700) -> list[Passage]:
    return [p for block in blocks for p in block_passages(document, block, max_chars)]
