"""How far HTTP plumbing could bring /ask towards its floor: the real server against a bare one, in one run.

    python bench/bare_http.py
The bare server (this script with `--serve PORT`) is uvloop and httptools and nothing else: no ASGI, no middleware,
no body limit, no security headers, no access log. It answers POST /ask with the same `answer_json` as the real
server, so the two differ only in their plumbing. It is a bound for bench/latency.py's goal, not a server to run.
Like bench/latency.py: dev questions, query cache off, the series taking turns round by round.
"""

import asyncio
import http.client
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from latency import ROUNDS, curl_round, floor_search, percentiles, post, timed

from server.answer.evaluate import percentile_ms, read_questions
from server.engine import open_qa
from server.settings import Settings
from server.web.routes import answer_json
from server.web.schemas import AskRequest
from tests.browser import free_port, live_server, wait_healthy


def serve_bare(port: int) -> None:
    import httptools
    import uvloop

    qa = open_qa(Settings(query_cache=0))

    class Bare(asyncio.Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:
            transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.transport, self.parser = transport, httptools.HttpRequestParser(self)
            self.url = self.body = b""

        def data_received(self, data: bytes) -> None:
            self.parser.feed_data(data)

        def on_url(self, url: bytes) -> None:
            self.url = url

        def on_body(self, body: bytes) -> None:
            self.body += body

        def on_message_complete(self) -> None:
            ask = self.url == b"/ask"
            out = answer_json(qa, AskRequest.model_validate_json(self.body)) if ask else b'{"status": "ok"}'
            self.body = b""
            head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(out)}\r\n\r\n"
            self.transport.write(head.encode() + out)

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Bare, "127.0.0.1", port)
        await server.serve_forever()

    uvloop.run(serve())


@contextmanager
def bare_server() -> Iterator[str]:
    """This script's bare server on a free local port, stopped afterwards; yields its base URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], stdout=log, stderr=log)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait()


def main() -> None:
    questions = [(q.question, q.history) for q in read_questions(Path("../shared/eval/dev.jsonl"))]
    qa = open_qa(Settings(query_cache=0))
    qa.ask("warm up")
    floor: list[float] = []
    series: dict[str, list[float]] = {"floor: embedding + vector search": floor}
    with (live_server({"VERBATIM_QUERY_CACHE": "0"}) as (real, _), bare_server() as bare,
          tempfile.TemporaryDirectory() as folder):  # fmt: skip
        servers = {"server": real, "bare": bare}
        connections = {name: http.client.HTTPConnection(url.removeprefix("http://")) for name, url in servers.items()}
        for connection in connections.values():
            post(connection, "warm up", [])
        for _ in range(ROUNDS):
            floor += [timed(floor_search, qa, q) for q, _ in questions]
            for name, url in servers.items():
                series.setdefault(f"/ask, {name}, http.client", []).extend(
                    timed(post, connections[name], q, h) for q, h in questions)  # fmt: skip
                series.setdefault(f"/ask, {name}, curl", []).extend(curl_round(url, questions, Path(folder)))
    base = percentile_ms(floor, 0.5)
    print(f"{len(questions)} questions x {ROUNDS} rounds, p50 / p95 / p99 in ms")
    for label, values in series.items():
        print(f"{label}: {percentiles(values)}  ({percentile_ms(values, 0.5) / base:.2f}x the floor's p50)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_bare(int(sys.argv[2]))
    else:
        main()
