"""HTTP routes, thin: the API (/ask, /healthz, /admin/reload), the chat page and the document viewer."""

import hmac
from collections.abc import Callable
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Form, Header, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from server.answer.qa import QA, Answer
from server.web.pages import render
from server.web.schemas import (
    MAX_HISTORY,
    MAX_QUESTION,
    AnswerOut,
    AskRequest,
    Earlier,
    Health,
    Problem,
    Reloaded,
)
from server.web.viewer import indexed_file, page_png, page_views

Abstained = Callable[[QA, str, list[str], Answer], None]
VERSION_HEADER = "x-index-version"  # on every answer: the index version it came from (what feedback names)

router = APIRouter()
ERRORS = {422: {"model": Problem, "description": "The request is not a valid question."},
          413: {"model": Problem, "description": "The request body is too large."}}  # fmt: skip
# The same refusal on a page's form: JSON, whatever the page's own type (server.web.app.BodyLimit answers it).
TOO_LARGE = {"description": "The request body is too large.",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}  # fmt: skip


async def get_qa(request: Request) -> QA:
    """The engine this request uses from start to end, even if a newer index is swapped in meanwhile.
    (async: it never blocks, and a sync dependency would cost every request a trip through the thread pool)"""
    return request.app.state.live.current()


QADep = Annotated[QA, Depends(get_qa)]


@router.post("/admin/reload", response_model=Reloaded, summary="Load the newest index version now",
             responses={401: {"model": Problem}, 404: {"model": Problem}, 503: {"model": Problem}})  # fmt: skip
def reload(request: Request, authorization: Annotated[str | None, Header()] = None) -> Reloaded:
    """Enabled only when VERBATIM_ADMIN_TOKEN is set; needs `Authorization: Bearer <token>`."""
    token = request.app.state.settings.admin_token
    if not token:
        raise HTTPException(404, "not found: set VERBATIM_ADMIN_TOKEN to enable /admin/reload")
    if not authorization or not hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        raise HTTPException(401, "a valid `Authorization: Bearer <token>` header is required",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return Reloaded(index_version=request.app.state.live.reload())


@router.post("/ask", response_model=AnswerOut, responses=ERRORS, summary="Answer a question with quoted sentences")
async def ask(request: Request, body: AskRequest, qa: QADep) -> Response:
    """Sentences copied from the documents, each cited; or `answered: false` when they don't answer."""
    # Valid application/json bodies are answered by server.web.app.DirectAsk before they reach this route, which
    # answers what it hands on (other JSON types, invalid bodies, an unusable index) and documents the endpoint.
    # On the event loop, not in the thread pool: the answer is CPU work, so a thread adds no throughput, only the
    # wake-up of that thread (about 1 ms a request here).
    # Returned as bytes: the Answer is already of the documented shape, so FastAPI need not re-validate it, and
    # orjson writes the dataclass directly.
    return Response(answer_json(qa, body, request.app.state.abstained), media_type="application/json",
                    headers={VERSION_HEADER: qa.store.path.name})


def answer_json(qa: QA, body: AskRequest, abstained: Abstained | None = None) -> bytes:
    """The Answer as the API's JSON (shared with server.web.app.DirectAsk, which answers most requests); an abstention
    is told to `abstained` (the question log, when VERBATIM_LOG_QUESTIONS is on)."""
    answer = qa.ask(body.question, body.history)
    if abstained is not None and not answer.answered:
        abstained(qa, body.question, body.history, answer)
    return orjson.dumps(answer)


@router.get("/healthz", response_model=Health, summary="Ready once the index is loaded")
async def healthz(qa: QADep) -> Health:  # nothing to wait for: no trip through the thread pool
    return Health(status="ok", index_version=qa.store.path.name, documents=len(qa.store.documents),
                  model=qa.store.manifest["model"]["name"])  # fmt: skip


def _conversation(qa: QA, questions: list[str]) -> list[tuple[str, Answer]]:
    """Each question answered with the ones before it as history, as the chat shows them."""
    return [(q, qa.ask(q, questions[:i])) for i, q in enumerate(questions)]


def _chat(request: Request, qa: QA, question: str | None, history: list[str]) -> HTMLResponse:
    asked = [h.strip() for h in history if h.strip()][-MAX_HISTORY:]
    if question and question.strip():
        asked.append(question.strip())
    turns = _conversation(qa, asked)
    abstained = request.app.state.abstained
    if abstained is not None and question and question.strip() and not turns[-1][1].answered:
        abstained(qa, asked[-1], asked[:-1], turns[-1][1])
    return render(request, "chat.html", turns=turns, history=asked, index_version=qa.store.path.name,
                  feedback=request.app.state.library is not None)  # fmt: skip


EarlierQuestions = Annotated[list[Earlier] | None, Query(description="Earlier questions, oldest first.")]


@router.get("/", response_class=HTMLResponse, summary="The web chat", responses={422: {"model": Problem}})
def chat(request: Request, qa: QADep,
         q: Annotated[str | None, Query(max_length=MAX_QUESTION, description="A question to answer on the page.")] = None,
         h: EarlierQuestions = None) -> HTMLResponse:  # fmt: skip
    return _chat(request, qa, q, h or [])


@router.post("/", response_class=HTMLResponse, summary="The chat's form, answered without JavaScript",
             responses={422: {"model": Problem}, 413: TOO_LARGE})  # fmt: skip
def chat_form(request: Request, qa: QADep,
              question: Annotated[str, Form(min_length=1, max_length=MAX_QUESTION, pattern=r"\S")],
              history: Annotated[list[Earlier] | None, Form()] = None) -> HTMLResponse:  # fmt: skip
    return _chat(request, qa, question, history or [])


@router.get("/sources/{source:path}", response_class=HTMLResponse, summary="A document with a span highlighted",
            responses={404: {"model": Problem, "description": "Not an indexed document."}, 422: {"model": Problem}})  # fmt: skip
def source(request: Request, source: str, qa: QADep, start: Annotated[int | None, Query(ge=0)] = None,
           end: Annotated[int | None, Query(ge=0)] = None,
           view: Annotated[Literal["page", "text"], Query(description="A PDF's page as it looks, or the text as read")] = "page",
           ) -> HTMLResponse:  # fmt: skip
    """The document with `[start, end)` highlighted: a PDF's pages as they look with the quoted lines marked (or, with
    `view=text`, and for every other format, the text as read with the span in `<mark>`); only indexed documents
    are served."""
    text = qa.store.documents.get(source)
    if text is None:
        raise HTTPException(404, f"no indexed document {source!r}")
    start = 0 if start is None else start
    end = start if end is None else end
    if not start <= end <= len(text):
        raise HTTPException(422, f"span [{start}, {end}) is not inside the document ({len(text)} characters)")
    layout = qa.store.layouts.get(source)
    path = indexed_file(qa.store, request.app.state.settings.corpus, source) if layout and view == "page" else None
    passage = qa.store.passage_at(source, start)
    section = passage.trail if passage else None
    if path is not None:
        return render(request, "page.html", source=source, pages=page_views(path, layout, start, end),
                      quoted=text[start:end], start=start, end=end, section=section)  # fmt: skip
    return render(request, "source.html", source=source, before=text[:start], marked=text[start:end],
                  after=text[end:], start=start, end=end, section=section, changed=bool(layout and view == "page"))  # fmt: skip


@router.get("/page-images/{page}/{source:path}", summary="A page of an indexed PDF as an image",
            responses={200: {"content": {"image/png": {}}}, 404: {"model": Problem}, 422: {"model": Problem}})  # fmt: skip
def page_image(request: Request, page: Annotated[int, Path(ge=1)], source: str, qa: QADep) -> Response:
    """The page rendered as it looks, while the file is the one that was indexed."""
    path = indexed_file(qa.store, request.app.state.settings.corpus, source) if source in qa.store.layouts else None
    if path is None or page > (qa.store.manifest["documents"][source].get("pages") or 0):
        raise HTTPException(404, f"no page {page} of an indexed PDF {source!r}")
    png = page_png(str(path), qa.store.manifest["documents"][source]["sha256"], page)
    return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=3600"})
