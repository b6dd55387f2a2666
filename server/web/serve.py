"""Running the app with uvicorn; with several workers each builds its app from the environment."""

import logging
import os
import socket

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from server.settings import Settings
from server.web.app import create_app


class NoDelayProtocol(HttpToolsProtocol):
    """HTTP/1.1 (httptools' C parser) with Nagle's algorithm off on every connection.

    asyncio turns it off only for sockets whose protocol number is TCP; the listening socket uvicorn binds for
    several workers has protocol number 0, so without this each keep-alive response waited ~40 ms for the client's
    delayed acknowledgement.
    """

    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def app_from_environment():
    return create_app(Settings())


def run(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    options = {"host": settings.host, "port": settings.port, "access_log": False, "http": NoDelayProtocol}
    if settings.workers > 1:
        os.environ["VERBATIM_WORKERS"] = str(settings.workers)  # each worker's own Settings know they are not alone
        uvicorn.run("server.web.serve:app_from_environment", factory=True, workers=settings.workers, **options)
    else:
        uvicorn.run(create_app(settings), **options)
