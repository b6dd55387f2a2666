"""The library's JSON API for scripts (Bearer token) and the page's script (session cookie + CSRF header)."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from server.web.auth import Owner
from server.web.limits import drain_request
from server.web.rebuilds import FINAL, Job, skipped_entries
from server.web.routes import QADep
from server.web.schemas import Problem
from server.web.service import Service, service_of
from server.web.shapes import (
    DocumentsOut,
    FeedbackIn,
    RebuildOut,
    RemovedOut,
    RestoredOut,
    TrashedOut,
    UploadOut,
)
from server.web.uploads import Outcome, Refused, Upload

router = APIRouter()
ServiceDep = Annotated[Service, Depends(service_of)]
DENIED = {401: {"model": Problem, "description": "No valid token or session."},
          403: {"model": Problem, "description": "A session without its CSRF token."}}  # fmt: skip
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
    "required": ["file"]}}}}}  # fmt: skip


async def owner(request: Request, service: ServiceDep) -> Owner:
    """Bearer or session (+ CSRF header for changes); checked before any body is read."""
    try:
        return service.auth.owner(request)
    except HTTPException:
        await drain_request(request)
        raise


OwnerDep = Annotated[Owner, Depends(owner)]


async def receive_upload(request: Request, service: Service, gate: Callable[[dict], bool] | None) -> Outcome:
    """Stream a multipart body's files into the corpus (each checked; whole or not at all)."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        await drain_request(request)
        raise HTTPException(422, "send the files as multipart/form-data, one `file` part each")
    s = service.settings
    upload = Upload(service.library, options[b"boundary"], min(s.upload_max_bytes, s.max_file_bytes),
                    s.upload_max_files, gate)  # fmt: skip
    try:
        async for chunk in request.stream():
            for part in upload.feed(chunk):
                await run_in_threadpool(upload.finish, part)
    except Refused as error:
        await drain_request(request)
        raise HTTPException(403, str(error)) from None
    except FormParserError:
        await drain_request(request)
        raise HTTPException(422, "the upload is not valid multipart/form-data") from None
    finally:
        upload.abort()
    if not upload.files:
        raise HTTPException(422, "no file in the upload: choose one or more files")
    return upload.outcome


def start_rebuild(service: Service, outcome: Outcome) -> Job:
    if not outcome.accepted:
        return service.rebuilds.nothing("nothing to add: every file was rejected")
    return service.rebuilds.start("added " + ", ".join(outcome.accepted))


@router.get("/api/documents", response_model=DocumentsOut, responses=DENIED, summary="The indexed documents")
def documents(service: ServiceDep, qa: QADep, _: OwnerDep) -> DocumentsOut:
    rows, _new = service.library.rows(qa.store)
    return DocumentsOut(documents=[{"source": r.source, "format": r.format, "bytes": r.bytes, "pages": r.pages,
                                    "passages": r.passages, "changed": r.changed} for r in rows],
                        skipped=skipped_entries(qa.store.manifest.get("skipped", [])),
                        index_version=qa.store.path.name)  # fmt: skip


@router.post("/api/documents", status_code=202, response_model=UploadOut, openapi_extra=UPLOAD_BODY,
             responses={**DENIED, 413: {"model": Problem}, 422: {"model": Problem}},
             summary="Add documents (multipart, one or more `file` parts); starts a rebuild")  # fmt: skip
async def upload(request: Request, service: ServiceDep, who: OwnerDep) -> JSONResponse:
    """Each file is checked (format, content type, size, a safe name, not a duplicate) and stored atomically;
    a rejected file changes nothing. With a session, the CSRF token comes as the X-CSRF-Token header."""
    outcome = await receive_upload(request, service, None)
    job = start_rebuild(service, outcome)
    return JSONResponse({"accepted": outcome.accepted, "rejected": outcome.rejected, "rebuild": job.id}, 202)


@router.delete("/api/documents/{source:path}", status_code=202, response_model=RemovedOut,
               responses={**DENIED, 404: {"model": Problem}, 409: {"model": Problem}},
               summary="Move a document to the trash; starts a rebuild")  # fmt: skip
def remove(source: str, service: ServiceDep, qa: QADep, _: OwnerDep) -> RemovedOut:
    return RemovedOut(removed=source, rebuild=remove_document(service, qa.store, source).id)


def remove_document(service: Service, store: object, source: str) -> Job:
    service.library.find(source)
    indexed = set(store.manifest.get("documents", {}))
    if indexed == {source} and source in service.library.files():
        raise HTTPException(409, f"{source} is the only indexed document: add another before removing it")
    service.library.remove(source)
    return service.rebuilds.start(f"removed {source}")


@router.get("/api/trash", response_model=list[TrashedOut], responses=DENIED, summary="What the trash holds")
def trash(service: ServiceDep, _: OwnerDep) -> list[TrashedOut]:
    return [TrashedOut(**asdict(t)) for t in service.library.trashed()]


@router.post("/api/trash/{entry}/restore", status_code=202, response_model=RestoredOut,
             responses={**DENIED, 404: {"model": Problem}, 409: {"model": Problem}},
             summary="Put a removed document back; starts a rebuild")  # fmt: skip
def restore(entry: str, service: ServiceDep, _: OwnerDep) -> RestoredOut:
    source = service.library.restore(entry)
    return RestoredOut(restored=source, rebuild=service.rebuilds.start(f"restored {source}").id)


def _job(service: Service, job_id: str) -> Job:
    job = service.rebuilds.get(job_id)
    if job is None:
        raise HTTPException(404, f"no rebuild {job_id!r}")
    return job


@router.get("/api/rebuilds/{job_id}", response_model=RebuildOut, responses={**DENIED, 404: {"model": Problem}},
            summary="A rebuild's state and result")  # fmt: skip
def rebuild(job_id: str, service: ServiceDep, _: OwnerDep) -> RebuildOut:
    return RebuildOut(**_job(service, job_id).public())


def progress(job: Job) -> dict:
    """The public state with how far it has got, for the page."""
    return {**job.public(), "id": job.id, "stage": job.stage, "files": job.files, "files_total": job.files_total,
            "embedded": job.embedded, "to_embed": job.to_embed, "version": job.version, "seconds": job.seconds,
            "why": job.why}  # fmt: skip


@router.get("/api/rebuilds/{job_id}/events", responses={**DENIED, 404: {"model": Problem},
            200: {"content": {"text/event-stream": {}}}}, summary="A rebuild's progress as server-sent events")  # fmt: skip
async def rebuild_events(job_id: str, service: ServiceDep, _: OwnerDep) -> Response:
    """One `data:` event (JSON: the state, stage, files read, texts embedded) whenever it changes, until done."""
    _job(service, job_id)

    async def events() -> AsyncIterator[bytes]:
        sent, quiet = None, 0
        while True:
            job = await run_in_threadpool(service.rebuilds.get, job_id)
            now = json.dumps(progress(job))
            if now != sent:
                sent, quiet = now, 0
                yield f"data: {now}\n\n".encode()
            elif (quiet := quiet + 1) % 60 == 0:
                yield b": still running\n\n"  # keeps proxies from closing a quiet stream
            if job.state in FINAL:
                return
            await asyncio.sleep(0.25)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"cache-control": "no-store"})


@router.post("/feedback", status_code=204, responses={413: {"model": Problem}, 422: {"model": Problem}},
             summary="Rate an answer")
def feedback(body: FeedbackIn, service: ServiceDep, qa: QADep) -> Response:
    """Helpful or not, with an optional note; stored with the answer's quotes and citations."""
    service.feedback.rated(qa, body.query, body.history, body.helpful, body.note, body.index_version)
    return Response(status_code=204)
