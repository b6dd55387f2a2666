"""Request and response shapes of the HTTP API (pydantic at the edge only)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_QUESTION = 2000
MAX_HISTORY = 20

Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION)]
Earlier = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_QUESTION)]


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "Is it still maturing?", "history": ["What is CRISPR?"]}]},
    )

    question: Question = Field(description="The question, 1 to 2,000 characters after trimming.")
    history: list[Earlier] = Field(
        default_factory=list,
        description="The user's earlier questions in this conversation, oldest first; the last 20 are kept.",
    )

    @field_validator("history")
    @classmethod
    def keep_recent(cls, history: list[str]) -> list[str]:
        return history[-MAX_HISTORY:]


class QuoteOut(BaseModel):
    text: str = Field(description="Copied from the source: source_text[start:end] == text.")
    citation: int
    start: int
    end: int


class CitationOut(BaseModel):
    id: int
    source: str = Field(description="The document's path under the corpus folder.")
    section: str | None
    page: int | None
    start: int
    end: int
    passage: str = Field(description="source_text[start:end]; every cited sentence lies inside it.")
    score: float


class AnswerOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "answered": True,
        "answer": "But this technology is still maturing. [1]",
        "sentences": [{"text": "But this technology is still maturing.", "citation": 1, "start": 5013, "end": 5051}],
        "citations": [{"id": 1, "source": "gene-therapy.txt", "section": None, "page": None, "start": 4863,
                       "end": 5051, "passage": "CRISPR-based therapies ... But this technology is still maturing.",
                       "score": 0.93}],
        "related": [], "missing_terms": [], "query": "Is CRISPR still maturing?", "confidence": 0.87}]})  # fmt: skip

    answered: bool
    answer: str = Field(description="The sentences with [n] markers, or a fixed sentence saying there is no answer.")
    sentences: list[QuoteOut]
    citations: list[CitationOut]
    related: list[CitationOut] = Field(description="Passages to read instead, when not answered.")
    missing_terms: list[str] = Field(
        description="Distinctive words of the question the documents never use, or the term it asks to define."
    )
    query: str = Field(description="The question as searched, after resolving a follow-up.")
    confidence: float | None = Field(
        None, ge=0, le=1, description="The answer's calibrated probability of being right; null when not answered."
    )


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok", "index_version": "v20261125-0800",
                                                                "documents": 1, "model": "all-MiniLM-L6-v2"}]})  # fmt: skip

    status: str
    index_version: str
    documents: int
    model: str


class Problem(BaseModel):
    """An error: what went wrong, in words meant for the user."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "question: must not be empty"}]})

    detail: str
    errors: list[dict] = Field(default_factory=list)


class Reloaded(BaseModel):
    index_version: str = Field(description="The index version now being served.")
