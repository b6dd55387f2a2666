"""The library's parts, made once when the app starts: what its routes and the question log share."""

from dataclasses import dataclass

from fastapi import HTTPException, Request

from index.embed import QueryCache
from server.settings import Settings
from server.web.auth import Auth
from server.web.db import Database, database_path
from server.web.feedback import Feedback
from server.web.library import Library
from server.web.live import LiveQA
from server.web.rebuilds import Rebuilds
from server.web.routes import Abstained


@dataclass
class Service:
    settings: Settings
    db: Database
    library: Library
    rebuilds: Rebuilds
    auth: Auth
    feedback: Feedback


def open_service(settings: Settings, live: LiveQA, embedder: QueryCache | None) -> tuple[Service | None, Abstained | None]:
    """The library (only with an admin token) and the question log (only with log_questions); None for what is off."""
    if not settings.admin_token and not settings.log_questions:
        return None, None
    db = Database(database_path(settings))
    feedback = Feedback(db)
    logged = feedback.abstained if settings.log_questions else None
    if not settings.admin_token:
        return None, logged
    service = Service(settings, db, Library(settings), Rebuilds(settings, db, live, embedder), Auth(settings, db),
                      feedback)  # fmt: skip
    return service, logged


def service_of(request: Request) -> Service:
    service = getattr(request.app.state, "library", None)
    if service is None:  # the routes exist only with a token; this is for an app whose lifespan has not run
        raise HTTPException(404, "not found")
    return service
