"""Uploads: a multipart body parsed as it arrives, each file checked and written to disk whole or not at all."""

import codecs
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from ingest.load import FORMATS, KNOWN
from server.web.library import TEMP_PREFIX, Library, file_sha256, fsync_dir

TYPES = {"txt": {"text/plain"}, "md": {"text/markdown", "text/x-markdown", "text/plain"},
         "html": {"text/html", "application/xhtml+xml"}, "pdf": {"application/pdf", "application/x-pdf"},
         "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
         "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"}}  # fmt: skip
ANY_TYPE = {"", "application/octet-stream", "binary/octet-stream"}  # what clients send when they don't know
SIGNATURES = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "pptx": b"PK\x03\x04"}
MAX_FIELD = 4096  # a form field's value (the CSRF token), not a file


class Refused(Exception):
    """The request may not upload (no valid CSRF token before the first file); nothing was written."""


def safe_name(raw: str) -> str:
    """The file name to store under, Unicode NFC; ValueError saying what is wrong with it otherwise."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise ValueError("the file has no name")
    if "/" in name or "\\" in name:
        raise ValueError("a file name must not hold a path (no / or \\): upload the file by its own name")
    if name.startswith("."):
        raise ValueError("hidden files (names starting with '.') are not accepted")
    if any(unicodedata.category(c)[0] == "C" for c in name):
        raise ValueError("the name holds control or invisible characters")
    if len(name.encode("utf-8")) > 255:
        raise ValueError("the name is longer than 255 bytes")
    if Path(name).suffix.lower() not in FORMATS:
        raise ValueError(f"not a {KNOWN} file")
    return name


@dataclass
class Outcome:
    accepted: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {"name": ..., "reason": ...}
    replaced: list[str] = field(default_factory=list)  # accepted names whose earlier file went to the trash
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    name: str = ""  # the form field's name
    filename: str | None = None
    stored: str | None = None  # the safe name, while it is still acceptable
    fmt: str = ""
    reason: str | None = None
    temp: Path | None = None
    handle: object = None
    size: int = 0
    head: bytes = b""
    digest: object = None
    text: object = None  # an incremental UTF-8 decoder for text formats
    value: bytearray = field(default_factory=bytearray)


class Upload:
    """Feed it the body's chunks; file parts are streamed into hidden temporary files in the corpus folder, then
    checked and renamed into place by finish (call it off the event loop: it syncs to disk)."""

    def __init__(self, library: Library, boundary: bytes, max_bytes: int, max_files: int,
                 gate: Callable[[dict[str, str]], bool] | None = None) -> None:  # fmt: skip
        self.library, self.max_bytes, self.max_files, self.gate = library, max_bytes, max_files, gate
        self.outcome, self.files, self.done = Outcome(), 0, []
        self._part, self._field, self._value = _Part(), bytearray(), bytearray()
        callbacks = {"on_part_begin": self._begin, "on_header_field": self._header_field,
                     "on_header_value": self._header_value, "on_header_end": self._header_end,
                     "on_headers_finished": self._headers_done, "on_part_data": self._data,
                     "on_part_end": self._end}  # fmt: skip
        self.parser = MultipartParser(boundary, callbacks)

    def feed(self, chunk: bytes) -> list[_Part]:
        """Parse a chunk; returns the file parts it completed, to finish."""
        self.parser.write(chunk)
        done, self.done = self.done, []
        return done

    def abort(self) -> None:
        part = self._part
        if part.handle is not None:
            part.handle.close()
        if part.temp is not None:
            part.temp.unlink(missing_ok=True)

    def _begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._part.headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field, self._value = bytearray(), bytearray()

    def _headers_done(self) -> None:
        part = self._part
        _, options = parse_options_header(part.headers.get("content-disposition", ""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            return
        part.filename = options[b"filename"].decode("utf-8", "replace")
        if self.gate is not None and not self.gate(self.outcome.fields):
            raise Refused("the form's security token is missing or wrong: reload the page and try again")
        self.gate = None
        self.files += 1
        try:
            part.stored = safe_name(part.filename)
        except ValueError as error:
            part.reason = str(error)
            return
        part.fmt = FORMATS[Path(part.stored).suffix.lower()]
        declared = part.headers.get("content-type", "").split(";")[0].strip().lower()
        if self.files > self.max_files:
            part.reason = f"more than {self.max_files} files in one upload: send the rest separately"
        elif declared not in TYPES[part.fmt] | ANY_TYPE:
            part.reason = f"its content type {declared} is not that of a .{part.fmt} file"
        else:
            handle, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".part", dir=self.library.corpus)
            part.handle, part.temp, part.digest = os.fdopen(handle, "wb"), Path(temp), hashlib.sha256()
            if part.fmt in ("txt", "md", "html"):
                part.text = codecs.getincrementaldecoder("utf-8")()

    def _data(self, data: bytes, start: int, end: int) -> None:
        part, chunk = self._part, data[start:end]
        if part.filename is None:
            if len(part.value) + len(chunk) <= MAX_FIELD:
                part.value += chunk
            return
        if part.handle is None:
            return
        part.size += len(chunk)
        if part.size > self.max_bytes:
            self._reject(f"larger than the limit of {self.max_bytes:,} bytes")
            return
        if len(part.head) < 1024:
            part.head += chunk[: 1024 - len(part.head)]
        try:
            if part.text is not None:
                part.text.decode(chunk)
        except UnicodeDecodeError:
            self._reject("not UTF-8 text, which a ." + part.fmt + " file must be")
            return
        part.digest.update(chunk)
        part.handle.write(chunk)

    def _reject(self, reason: str) -> None:
        self.abort()
        self._part.handle, self._part.temp, self._part.reason = None, None, reason

    def _end(self) -> None:
        part = self._part
        if part.filename is None:
            self.outcome.fields[part.name] = part.value.decode("utf-8", "replace")
            return
        if part.handle is not None:
            part.handle.close()
            part.handle = None
        self.done.append(part)

    def finish(self, part: _Part) -> None:
        """Check a whole file part and put it in the corpus atomically, or reject it leaving nothing behind."""
        try:
            reason = part.reason or _content_problem(part)
            if reason is None:
                reason = self._store(part)
        finally:
            if part.temp is not None:
                part.temp.unlink(missing_ok=True)
        if reason is not None:
            self.outcome.rejected.append({"name": part.filename or "", "reason": reason})

    def _store(self, part: _Part) -> str | None:
        digest = part.digest.hexdigest()
        with self.library.lock:
            files = self.library.files()
            same = next((s for s, p in files.items() if p.stat().st_size == part.size and file_sha256(p) == digest),
                        None)  # fmt: skip
            if same is not None:
                return f"a duplicate of {same} (the same content), which the library already holds"
            target = self.library.corpus / part.stored
            if target.is_dir():
                return f"{part.stored} is a folder in the corpus"
            with open(part.temp, "rb") as handle:
                os.fsync(handle.fileno())
            replaced = part.stored in files
            if replaced:
                self.library.remove(part.stored)  # the earlier file stays restorable from the trash
            try:
                os.link(part.temp, target)  # never overwrites a file another process put there meanwhile
            except FileExistsError:
                return f"another file named {part.stored} arrived meanwhile: upload it again"
            fsync_dir(self.library.corpus)
        self.outcome.accepted.append(part.stored)
        if replaced:
            self.outcome.replaced.append(part.stored)
        return None


def _content_problem(part: _Part) -> str | None:
    if part.size == 0:
        return "the file is empty"
    signature = SIGNATURES.get(part.fmt)
    if signature and not part.head.startswith(signature) and not (part.fmt == "pdf" and signature in part.head):
        return f"its content is not that of a .{part.fmt} file"
    if part.text is not None:
        try:
            part.text.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"not UTF-8 text, which a .{part.fmt} file must be"
    return None
