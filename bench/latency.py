"""Answer latency against its floor, in one run, on the gene-therapy dev questions.

    python bench/latency.py
The floor: the question's embedding plus the vector search, nothing else. Then /ask p50 / p95 / p99 in-process
and over HTTP (one keep-alive connection), from Python's http.client and from curl (a client in C, so the client's
own share of the round trip shows). The query cache is off, so every question is embedded every time. The
four take turns round by round (each round asks every question once), so a drift in the machine's speed reaches
all four alike, while each stays on its own for a whole round (two encoders taking turns question by question would
slow each other down through the CPU caches). Last, the round trip of the smallest response (/healthz) back to back
and after a 3 ms pause: what this machine charges any request for waking an idle server and client.
"""

import http.client
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.answer.evaluate import percentile_ms, read_questions
from server.answer.qa import QA
from server.engine import open_qa
from server.settings import Settings
from tests.browser import live_server

ROUNDS = 10
PROBES = 200


def percentiles(seconds: list[float]) -> str:
    return " / ".join(f"{percentile_ms(seconds, p):.2f}" for p in (0.5, 0.95, 0.99))


def timed(call, *args) -> float:
    began = time.perf_counter()
    call(*args)
    return time.perf_counter() - began


def post(connection: http.client.HTTPConnection, question: str, history: list[str]) -> None:
    """One /ask over a keep-alive connection, its answer read whole; a refused or failed one stops the benchmark."""
    connection.request("POST", "/ask", json.dumps({"question": question, "history": history}),
                       {"content-type": "application/json"})  # fmt: skip
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, (response.status, body[:200])


def floor_search(qa: QA, question: str) -> None:
    """The floor: the question's embedding and the vector search over passages, nothing else."""
    qa.store.dense(qa.embedder.encode_query(question), qa.settings.candidates)


def curl_round(url: str, questions: list, folder: Path) -> list[float]:
    """Each question once over one curl keep-alive connection (opened by a /healthz first); curl's time_total."""
    lines = [f'url = "{url}/healthz"', 'output = "/dev/null"']
    for i, (question, history) in enumerate(questions):
        body = folder / f"{i}.json"
        body.write_text(json.dumps({"question": question, "history": history}))
        lines += ["next", f'url = "{url}/ask"', 'header = "content-type: application/json"',
                  f'data-binary = "@{body}"', 'output = "/dev/null"', 'write-out = "%{time_total}\\n"']  # fmt: skip
    config = folder / "curl.conf"
    config.write_text("\n".join(lines) + "\n")
    printed = subprocess.run(["curl", "-sS", "-K", str(config)], capture_output=True, text=True, check=True).stdout
    seconds = [float(x) for x in printed.split()]
    assert len(seconds) == len(questions), printed
    return seconds


def healthz_round_trips(connection: http.client.HTTPConnection, pause: float) -> list[float]:
    def get() -> None:
        connection.request("GET", "/healthz")
        connection.getresponse().read()

    seconds = []
    for _ in range(PROBES):
        time.sleep(pause)
        seconds.append(timed(get))
    return seconds


def main() -> None:
    questions = [(q.question, q.history) for q in read_questions(Path("../shared/eval/dev.jsonl"))]
    qa = open_qa(Settings(query_cache=0))
    qa.ask("warm up")
    floor, inproc, over_http, over_curl = [], [], [], []
    with live_server({"VERBATIM_QUERY_CACHE": "0"}) as (url, _), tempfile.TemporaryDirectory() as folder:
        connection = http.client.HTTPConnection(url.removeprefix("http://"))
        post(connection, "warm up", [])
        for _ in range(ROUNDS):
            floor += [timed(floor_search, qa, q) for q, _ in questions]
            inproc += [timed(qa.ask, q, h) for q, h in questions]
            over_http += [timed(post, connection, q, h) for q, h in questions]
            over_curl += curl_round(url, questions, Path(folder))
        awake, woken = healthz_round_trips(connection, 0), healthz_round_trips(connection, 0.003)
    base = percentile_ms(floor, 0.5)
    print(f"{len(questions)} questions x {ROUNDS} rounds, p50 / p95 / p99 in ms")
    series = (("floor: embedding + vector search", floor), ("/ask in-process", inproc),
              ("/ask over HTTP (http.client)", over_http), ("/ask over HTTP (curl)", over_curl))
    for label, values in series:
        print(f"{label}: {percentiles(values)}  ({percentile_ms(values, 0.5) / base:.2f}x the floor's p50)")
    print(f"/healthz over HTTP (http.client), p50: back to back {percentile_ms(awake, 0.5):.2f}, "
          f"after a 3 ms pause {percentile_ms(woken, 0.5):.2f}")


if __name__ == "__main__":
    main()
