"""Rendering HTML pages with Jinja2 (autoescaped): the chat, the document viewer, errors."""

from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from server.answer.qa import Citation, Quote

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parents[2] / "templates")


def viewer_link(source: str, start: int, end: int, view: str | None = None) -> str:
    shown = f"&view={view}" if view else ""
    return f"/sources/{quote(source)}?start={start}&end={end}{shown}#quote"


def segments(citation: Citation, sentences: list[Quote]) -> list[tuple[str, bool]]:
    """A passage cut into (text, quoted) pieces, the quoted sentences marked."""
    spans = sorted((s.start, s.end) for s in sentences if s.citation == citation.id)
    pieces, cursor = [], citation.start
    for start, end in spans:
        pieces += [(citation.passage[cursor - citation.start : start - citation.start], False),
                   (citation.passage[start - citation.start : end - citation.start], True)]  # fmt: skip
        cursor = end
    pieces.append((citation.passage[cursor - citation.start :], False))
    return [piece for piece in pieces if piece[0]]


TEMPLATES.env.globals.update(viewer_link=viewer_link, segments=segments)


def wants_html(request: Request) -> bool:
    """Pages get HTML errors; the API (and anything asking for JSON) gets JSON."""
    if request.url.path in ("/ask", "/healthz", "/openapi.json") or request.url.path.startswith("/admin"):
        return False
    accept = request.headers.get("accept", "")
    return request.url.path in ("/",) or request.url.path.startswith("/sources/") or "text/html" in accept


def render(request: Request, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    settings = request.app.state.settings
    return TEMPLATES.TemplateResponse(request, template, {"notice": settings.notice, **context},
                                      status_code=status_code)  # fmt: skip


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", status, status=status, detail=detail)
