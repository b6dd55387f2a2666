"""The units text is split into; each knows exactly where it lies in its document's text."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str  # path under the corpus, POSIX, stable across rebuilds
    text: str  # the text as read; every offset below points into it
    format: str  # "txt", "md", "html" or "pdf"


@dataclass(frozen=True, slots=True)
class Block:
    """A structural unit as written: a paragraph, a list item, a table row or a heading."""

    doc_id: str
    start: int
    end: int
    kind: str  # "paragraph", "item", "row"
    section: tuple[str, ...] = ()
    page: int | None = None
    header: str | None = None  # a table row's header row, for retrieval only


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    start: int  # invariant: document.text[start:end] == text
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Passage:
    """The retrieval unit: consecutive sentences of one block, with where they sit in the document."""

    doc_id: str
    start: int  # invariant: document.text[start:end] == text
    end: int
    text: str
    sentences: tuple[Sentence, ...]
    section: tuple[str, ...] = ()
    page: int | None = None
    header: str | None = None
    kind: str = "paragraph"
    context: str = field(default="", compare=False)  # what retrieval embeds besides the text
