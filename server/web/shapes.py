"""The library API's request and response shapes (pydantic at the HTTP edge), as in CONTRACT.md."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_NOTE = 2000
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Earlier = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class DocumentOut(BaseModel):
    source: str = Field(description="The document's path under the corpus folder.")
    format: str
    bytes: int
    pages: int | None
    passages: int
    changed: str = Field(description="When the file last changed, ISO 8601.")


class SkippedOut(BaseModel):
    source: str
    reason: str


class DocumentsOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "documents": [{"source": "vectors.md", "format": "md", "bytes": 2140, "pages": None, "passages": 6,
                       "changed": "2026-12-02T07:42:16+00:00"}],
        "skipped": [{"source": "table.csv", "reason": "not a .txt, .md, .html, .pdf, .docx or .pptx file"}],
        "index_version": "v20261202-074216-921072338"}]})  # fmt: skip

    documents: list[DocumentOut]
    skipped: list[SkippedOut]
    index_version: str


class RejectedOut(BaseModel):
    name: str
    reason: str


class UploadOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "accepted": ["fish.md"], "rejected": [{"name": "setup.exe", "reason": "not a .txt, .md, .html, .pdf, .docx "
                                               "or .pptx file"}], "rebuild": "r187d3a4c2b1f00a1b2"}]})  # fmt: skip

    accepted: list[str]
    rejected: list[RejectedOut]
    rebuild: str = Field(description="The rebuild to follow at /api/rebuilds/{id}.")


class RemovedOut(BaseModel):
    removed: str
    rebuild: str


class RebuildOut(BaseModel):
    state: Literal["queued", "running", "done", "failed"]
    added: list[str]
    changed: list[str]
    removed: list[str]
    skipped: list[SkippedOut]
    error: str | None


class TrashedOut(BaseModel):
    entry: str
    source: str
    removed: str
    bytes: int


class RestoredOut(BaseModel):
    restored: str
    rebuild: str


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "query": "Where are viral vectors grown?", "history": [], "helpful": False,
        "note": "It should say how long it takes.", "index_version": "v20261202-074216-921072338"}]})  # fmt: skip

    query: Text = Field(description="The question the answer was for, as asked.")
    history: list[Earlier] = Field(default_factory=list, description="The earlier questions, oldest first.")
    helpful: bool
    note: str = Field("", max_length=MAX_NOTE, description="What the reader adds, at most 2,000 characters.")
    index_version: Annotated[str, StringConstraints(max_length=200)]

    @field_validator("history")
    @classmethod
    def keep_recent(cls, history: list[str]) -> list[str]:
        return history[-20:]
