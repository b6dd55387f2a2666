"""Sentences (pysbd, a rule-based segmenter) and passages, each with offsets into its document's text."""

import re
from functools import lru_cache

import pysbd

from ingest.plain import row_context
from ingest.units import Block, Document, Passage, Sentence, page_at

# The regex a segmenter is measured against: split after . ! ? before whitespace and a capital or quote.
NAIVE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"“(A-Z])")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _spans(text: str, start: int, end: int, pieces: list[str]) -> list[tuple[int, int]] | None:
    """Locate each piece in text[start:end] in order; None when a piece isn't found as written."""
    spans, cursor = [], start
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = text.find(piece, cursor, end)
        if found < 0:
            return None
        spans.append((found, found + len(piece)))
        cursor = found + len(piece)
    return spans


def naive_sentences(text: str) -> list[str]:
    return [piece for piece in NAIVE_BOUNDARY.split(text) if piece.strip()]


def split_sentences(doc_id: str, text: str, start: int, end: int) -> list[Sentence]:
    """The sentences of text[start:end]; falls back to the regex if the segmenter altered the text."""
    chunk = text[start:end]
    spans = _spans(text, start, end, _segmenter().segment(chunk)) or _spans(
        text, start, end, naive_sentences(chunk)
    )
    return [Sentence(doc_id, a, b, text[a:b]) for a, b in spans or [(start, end)]]


def _context(document: Document, block: Block) -> str:
    """What retrieval reads besides the passage: its section trail, and a row's cells named by the header."""
    trail = " > ".join(part for part in block.section if part)
    if block.kind == "row":
        return f"{trail}\n{row_context(block.header, document.text[block.start : block.end])}".strip()
    return trail


def block_passages(document: Document, block: Block, max_chars: int) -> list[Passage]:
    """A block as passages of whole consecutive sentences, each at most max_chars long where it can be."""
    if block.kind == "row":  # a table row stays whole: one sentence, one passage
        sentences = [Sentence(document.doc_id, block.start, block.end, document.text[block.start : block.end])]
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
