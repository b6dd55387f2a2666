"""Documents, passages and sentences kept out of Python objects: one UTF-8 file of the documents' texts, offset
arrays and a table of the strings passages repeat (sections, headers, kinds, contexts), all memory-mapped like the
vectors, so that server processes share them through the page cache. A Passage or Sentence is made only when asked
for (the candidates of a question), from its row and its bytes.
"""

import json
import mmap
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from ingest.units import Passage, Sentence

TEXT, DOCUMENT_IDS, DOCUMENT_BYTES = "text.bin", "document_ids.json", "document_bytes.npy"
STRINGS, STRING_BYTES, PASSAGES, SENTENCES = "strings.bin", "string_bytes.npy", "passages.npy", "sentences.npy"
FILES = (TEXT, DOCUMENT_IDS, DOCUMENT_BYTES, STRINGS, STRING_BYTES, PASSAGES, SENTENCES)
# Columns of passages.npy (one int64 row a passage) and of sentences.npy (one a sentence). Offsets are characters
# of the document's text (start, end) and bytes of text.bin (byte_start, byte_end); strings are ids in strings.bin.
DOC, START, END, BYTE_START, BYTE_END, FIRST, COUNT, PAGE, SECTION, HEADER, KIND, CONTEXT = range(12)
OWNER = 0  # a sentence's passage; its start, end, byte_start and byte_end follow
NONE = -1  # no page, no header
ENCODING, ERRORS = "utf-8", "surrogatepass"  # a PDF's text may hold a lone surrogate
Unit = TypeVar("Unit", Passage, Sentence)


def _byte_offsets(text: str) -> np.ndarray | None:
    """Each character offset's byte offset in the text's UTF-8 (one past the end included); None for ASCII text."""
    if text.isascii():
        return None
    points = np.frombuffer(text.encode("utf-32-le", ERRORS), dtype=np.uint32)
    widths = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
    return np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)


def write_units(path: Path, documents: dict[str, str], passages: list[Passage]) -> None:
    """Write the documents' texts and every passage and sentence's offsets into the version directory path."""
    ids = {doc_id: number for number, doc_id in enumerate(documents)}
    bases, widths = [0], {}
    with open(path / TEXT, "wb") as out:
        for doc_id, text in documents.items():
            bases.append(bases[-1] + out.write(text.encode(ENCODING, ERRORS)))
            widths[doc_id] = _byte_offsets(text)
    strings: dict[str, int] = {}

    def string(value: str | None) -> int:
        return NONE if value is None else strings.setdefault(value, len(strings))

    passage_rows, sentence_rows = [], []
    for pid, p in enumerate(passages):
        base, width = bases[ids[p.doc_id]], widths[p.doc_id]

        def at(char: int) -> int:
            return base + (char if width is None else int(width[char]))  # noqa: B023 - used in this iteration only

        passage_rows.append((ids[p.doc_id], p.start, p.end, at(p.start), at(p.end), len(sentence_rows),
                             len(p.sentences), NONE if p.page is None else p.page, string(json.dumps(p.section)),
                             string(p.header), string(p.kind), string(p.context)))  # fmt: skip
        sentence_rows += [(pid, s.start, s.end, at(s.start), at(s.end)) for s in p.sentences]
    np.save(path / PASSAGES, np.array(passage_rows, dtype=np.int64).reshape(-1, 12))
    np.save(path / SENTENCES, np.array(sentence_rows, dtype=np.int64).reshape(-1, 5))
    (path / DOCUMENT_IDS).write_text(json.dumps(list(documents), ensure_ascii=False))
    np.save(path / DOCUMENT_BYTES, np.array(bases, dtype=np.int64))
    encoded = [s.encode(ENCODING, ERRORS) for s in strings]
    (path / STRINGS).write_bytes(b"".join(encoded))
    np.save(path / STRING_BYTES, np.concatenate([[0], np.cumsum([len(e) for e in encoded], dtype=np.int64)]))


def _mapped(file: Path) -> mmap.mmap | bytes:
    with open(file, "rb") as handle:
        size = handle.seek(0, 2)
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""


class Units:
    """The memory-mapped units of one version; Passage and Sentence objects made on demand, the last few kept."""

    def __init__(self, path: Path, cached: int = 4096) -> None:
        self.text, self.strings = _mapped(path / TEXT), _mapped(path / STRINGS)
        self.doc_ids: list[str] = json.loads((path / DOCUMENT_IDS).read_text())
        self.doc_number = {doc_id: number for number, doc_id in enumerate(self.doc_ids)}
        load = lambda name: np.asarray(np.load(path / name, mmap_mode="r"))  # plain arrays, as read_vectors says why
        self.doc_bytes, self.string_bytes = load(DOCUMENT_BYTES), load(STRING_BYTES)
        self.passage_rows, self.sentence_rows = load(PASSAGES), load(SENTENCES)
        if (len(self.doc_bytes) != len(self.doc_ids) + 1 or self.doc_bytes[-1] != len(self.text)
                or self.string_bytes[-1] != len(self.strings) or self.passage_rows.shape[1:] != (12,)
                or self.sentence_rows.shape[1:] != (5,)):  # fmt: skip
            raise ValueError("the units' files do not match one another")
        self.passage = lru_cache(maxsize=cached)(self.make_passage)
        self.sentence = lru_cache(maxsize=4 * cached)(self.make_sentence)
        self.string = lru_cache(maxsize=cached)(self._string)
        self.section = lru_cache(maxsize=cached)(lambda number: tuple(json.loads(self.string(number))))

    def _decode(self, start: int, end: int) -> str:
        return self.text[start:end].decode(ENCODING, ERRORS)

    def _string(self, number: int) -> str | None:
        if number == NONE:
            return None
        return self.strings[self.string_bytes[number] : self.string_bytes[number + 1]].decode(ENCODING, ERRORS)

    def document(self, doc_id: str) -> str:
        number = self.doc_number[doc_id]
        return self._decode(int(self.doc_bytes[number]), int(self.doc_bytes[number + 1]))

    def make_sentence(self, sid: int) -> Sentence:
        passage, start, end, byte_start, byte_end = self.sentence_rows[sid].tolist()
        doc_id = self.doc_ids[int(self.passage_rows[passage, DOC])]
        return Sentence(doc_id, start, end, self._decode(byte_start, byte_end))

    def make_passage(self, pid: int) -> Passage:
        doc, start, end, byte_start, byte_end, first, count, page, section, header, kind, context = (
            self.passage_rows[pid].tolist()
        )
        sentences = tuple(self.sentence(sid) for sid in range(first, first + count))
        return Passage(self.doc_ids[doc], start, end, self._decode(byte_start, byte_end), sentences,
                       self.section(section), None if page == NONE else page, self.string(header),
                       self.string(kind), self.string(context))  # fmt: skip


class LazyUnits(Sequence[Unit]):
    """A sequence of passages or sentences, each made when indexed."""

    def __init__(self, rows: np.ndarray, make: Callable[[int], Unit], make_uncached: Callable[[int], Unit]) -> None:
        self.rows, self.make, self.make_uncached, self.count = rows, make, make_uncached, len(rows)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int | slice) -> Unit | list[Unit]:  # as a list's
        if isinstance(index, slice):
            return [self.make_uncached(i) for i in range(*index.indices(len(self)))]
        number = index.__index__()
        if not 0 <= number < self.count:
            if not -self.count <= number < 0:
                raise IndexError(index)
            number += self.count
        return self.make(number)

    def __iter__(self) -> Iterator[Unit]:
        return map(self.make_uncached, range(self.count))  # a walk over every unit leaves the cache to questions


class Documents(Mapping[str, str]):
    """Each document's text by its id, decoded when asked for."""

    def __init__(self, units: Units) -> None:
        self.units = units

    def __getitem__(self, doc_id: str) -> str:
        return self.units.document(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.units.doc_number

    def __iter__(self) -> Iterator[str]:
        return iter(self.units.doc_ids)

    def __len__(self) -> int:
        return len(self.units.doc_ids)
