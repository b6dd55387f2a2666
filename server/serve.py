"""Running the app with uvicorn; with several workers each builds its app from the environment."""

import logging

import uvicorn

from server.app import create_app
from server.settings import Settings


def app_from_environment():
    return create_app(Settings())


def run(settings: Settings, workers: int = 1) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if workers > 1:
        uvicorn.run("server.serve:app_from_environment", factory=True, host=settings.host, port=settings.port,
                    workers=workers, access_log=False)  # fmt: skip
    else:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
