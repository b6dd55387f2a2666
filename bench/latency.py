"""Answer latency against its floor, in one run, on the gene-therapy dev questions.

    python bench/latency.py
The floor: the question's embedding plus the vector search, nothing else. Then /ask p50 / p95 / p99 in-process
and over HTTP (one keep-alive connection). The query cache is off, so every question is embedded every time. The
three take turns round by round (each round asks every question once), so a drift in the machine's speed reaches
all three alike, while each stays on its own for a whole round (two encoders taking turns question by question would
slow each other down through the CPU caches).
"""

import http.client
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.engine import open_qa
from server.evaluate import percentile_ms, read_questions
from server.settings import Settings
from tests.browser import live_server

ROUNDS = 10


def percentiles(seconds: list[float]) -> str:
    return " / ".join(f"{percentile_ms(seconds, p):.2f}" for p in (0.5, 0.95, 0.99))


def timed(call, *args) -> float:
    began = time.perf_counter()
    call(*args)
    return time.perf_counter() - began


def main() -> None:
    questions = [(q.question, q.history) for q in read_questions(Path("../shared/eval/dev.jsonl"))]
    qa = open_qa(Settings(query_cache=0))
    qa.ask("warm up")
    floor, inproc, over_http = [], [], []
    with live_server({"VERBATIM_QUERY_CACHE": "0"}) as (url, _):
        connection = http.client.HTTPConnection(url.removeprefix("http://"))

        def post(question: str, history: list[str]) -> None:
            connection.request("POST", "/ask", json.dumps({"question": question, "history": history}),
                               {"content-type": "application/json"})  # fmt: skip
            connection.getresponse().read()

        def search(question: str) -> None:
            qa.store.dense(qa.embedder.encode_query(question), qa.settings.candidates)

        post("warm up", [])
        for _ in range(ROUNDS):
            floor += [timed(search, q) for q, _ in questions]
            inproc += [timed(qa.ask, q, h) for q, h in questions]
            over_http += [timed(post, q, h) for q, h in questions]
    base = percentile_ms(floor, 0.5)
    print(f"{len(questions)} questions x {ROUNDS} rounds, p50 / p95 / p99 in ms")
    for label, values in (("floor: embedding + vector search", floor), ("/ask in-process", inproc),
                          ("/ask over HTTP", over_http)):  # fmt: skip
        print(f"{label}: {percentiles(values)}  ({percentile_ms(values, 0.5) / base:.2f}x the floor's p50)")


if __name__ == "__main__":
    main()
