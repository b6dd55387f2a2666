"""The library's pages: sign-in, the document list with upload, remove, restore and the rebuild, what goes unanswered.
Plain forms (each with its CSRF token) that work without JavaScript; static/library.js adds drag and drop and live
progress."""

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ingest.load import FORMATS
from server.web.auth import SESSION, SIGNIN, set_cookie
from server.web.library_routes import progress, receive_upload, remove_document, start_rebuild
from server.web.limits import client_of, drain_request
from server.web.pages import TEMPLATES, render
from server.web.rebuilds import Job, skipped_entries
from server.web.routes import QADep
from server.web.service import Service, service_of
from server.web.uploads import Outcome

router = APIRouter(include_in_schema=False)
ServiceDep = Annotated[Service, Depends(service_of)]
STAGES = {"queued": "Waiting to start", "waiting": "Waiting for another build to finish",
          "hashing": "Checking which files changed", "reading": "Reading files", "embedding": "Embedding texts",
          "writing": "Writing the new index version", "checking": "Checking the new version",
          "publishing": "Switching to the new version", "loading": "Loading the new version into the server",
          "done": "Done", "failed": "Failed"}  # fmt: skip


def size(count: int) -> str:
    """Bytes for people: 812 B, 2.1 kB, 20 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} B"


TEMPLATES.env.filters["size"] = size


def _private(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


def signin_page(request: Request, service: Service, status: int = 200, error: str | None = None) -> Response:
    nonce, cookie = service.auth.signin_nonce(request)
    response = render(request, "signin.html", status, csrf=service.auth.csrf(nonce), error=error)
    if cookie:
        set_cookie(response, request, SIGNIN, cookie, 3600)
    return _private(response)


def library_page(request: Request, service: Service, qa: object, nonce: str, status: int = 200,
                 job: Job | None = None, outcome: Outcome | None = None, message: str | None = None,
                 error: str | None = None) -> Response:  # fmt: skip
    store = qa.store
    rows, new = service.library.rows(store)
    job = job or service.rebuilds.latest()
    groups, apart = service.feedback.groups()
    manifest = store.manifest
    response = render(request, "library.html", status, csrf=service.auth.csrf(nonce), rows=rows, new=new,
                      skipped=skipped_entries(manifest.get("skipped", [])), version=store.path.name,
                      built_at=manifest.get("built_at", ""), model=manifest.get("model", {}).get("name", ""),
                      passages=len(store.passages), trash=service.library.trashed(),
                      job=progress(job) if job else None, stages=STAGES, outcome=outcome, message=message,
                      error=error and error[0].upper() + error[1:], groups=groups, unhelpful=apart, logging=service.settings.log_questions,
                      max_bytes=min(service.settings.upload_max_bytes, service.settings.max_file_bytes),
                      max_files=service.settings.upload_max_files, accept=",".join(sorted(FORMATS)),
                      source_link=lambda source: f"/sources/{quote(source)}")  # fmt: skip
    return _private(response)


@router.get("/library", response_class=HTMLResponse)
def library(request: Request, service: ServiceDep, qa: QADep,
            rebuild: Annotated[str | None, Query(max_length=100)] = None) -> Response:  # fmt: skip
    nonce = service.auth.session(request)
    if nonce is None:
        return signin_page(request, service)
    return library_page(request, service, qa, nonce, job=service.rebuilds.get(rebuild) if rebuild else None)


@router.post("/library/signin", response_class=HTMLResponse)
async def signin(request: Request, service: ServiceDep) -> Response:
    client = client_of(request.scope)
    if wait := service.auth.signins.wait(client):
        await drain_request(request)
        response = signin_page(request, service, 429, f"Too many sign-in attempts: try again in {wait} s.")
        response.headers["retry-after"] = str(wait)
        return response
    form = await request.form()
    token, csrf = str(form.get("token", "")), str(form.get("csrf", ""))
    if not service.auth.signin_csrf_ok(request, csrf):
        return signin_page(request, service, 403, "The sign-in form had expired: please try again.")
    if not service.auth.token_ok(token):
        await asyncio.sleep(service.auth.failed(client))
        return signin_page(request, service, 401, "That is not the library's token.")
    service.auth.succeeded(client)
    response = RedirectResponse("/library", status_code=303)
    set_cookie(response, request, SESSION, service.auth.new_session(), service.auth.seconds)
    response.delete_cookie(SIGNIN, path="/")
    return response


def _checked(request: Request, service: Service, csrf: str | None) -> str:
    """The session's nonce when the form's CSRF token is its own; else an HTTPException the handlers below turn
    into the sign-in page (no session) or the library page saying so (no token)."""
    nonce = service.auth.session(request)
    if nonce is None:
        raise HTTPException(401, "sign in first")
    if not service.auth.csrf_ok(nonce, csrf):
        raise HTTPException(403, "The form's security token is missing or wrong: reload the page and try again.")
    return nonce


def _refused(request: Request, service: Service, qa: object, error: HTTPException) -> Response:
    if error.status_code == 401:
        return signin_page(request, service, 401, "Your sign-in has ended: please sign in again.")
    nonce = service.auth.session(request)
    return library_page(request, service, qa, nonce, error.status_code, error=str(error.detail))


@router.post("/library/signout")
def signout(request: Request, service: ServiceDep, csrf: Annotated[str, Form()] = "") -> Response:
    nonce = service.auth.session(request)
    if nonce and service.auth.csrf_ok(nonce, csrf):
        service.auth.sign_out(nonce)
    response = RedirectResponse("/library", status_code=303)
    response.delete_cookie(SESSION, path="/")
    return response


@router.post("/library/upload", response_class=HTMLResponse)
async def upload_form(request: Request, service: ServiceDep, qa: QADep) -> Response:
    """The form's files; its CSRF field comes first in the body, and is checked before any file is written."""
    nonce = service.auth.session(request)
    if nonce is None:
        await drain_request(request)
        return signin_page(request, service, 401, "Your sign-in has ended: please sign in again.")
    try:
        outcome = await receive_upload(request, service, lambda fields: service.auth.csrf_ok(nonce, fields.get("csrf")))
    except HTTPException as error:
        return library_page(request, service, qa, nonce, error.status_code, error=str(error.detail))
    job = start_rebuild(service, outcome)
    return library_page(request, service, qa, nonce, job=job if outcome.accepted else None, outcome=outcome)


@router.post("/library/remove", response_class=HTMLResponse)
def remove_form(request: Request, service: ServiceDep, qa: QADep, source: Annotated[str, Form()],
                csrf: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    try:
        nonce = _checked(request, service, csrf)
        job = remove_document(service, qa.store, source)
    except HTTPException as error:
        return _refused(request, service, qa, error)
    return library_page(request, service, qa, nonce, 200, job, message=f"{source} is in the trash; the index is "
                        "being rebuilt without it.")  # fmt: skip


@router.post("/library/restore", response_class=HTMLResponse)
def restore_form(request: Request, service: ServiceDep, qa: QADep, entry: Annotated[str, Form()],
                 csrf: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    try:
        nonce = _checked(request, service, csrf)
        source = service.library.restore(entry)
    except HTTPException as error:
        return _refused(request, service, qa, error)
    job = service.rebuilds.start(f"restored {source}")
    return library_page(request, service, qa, nonce, 200, job, message=f"{source} is back; the index is being "
                        "rebuilt with it.")  # fmt: skip


@router.post("/library/rebuild", response_class=HTMLResponse)
def rebuild_form(request: Request, service: ServiceDep, qa: QADep, csrf: Annotated[str, Form()] = "") -> Response:
    """Rebuild now: after files were changed in the corpus folder by hand, or a failed rebuild was fixed."""
    try:
        nonce = _checked(request, service, csrf)
    except HTTPException as error:
        return _refused(request, service, qa, error)
    return library_page(request, service, qa, nonce, 200, service.rebuilds.start("asked from the library page"))
