"""Answer latency against its floor, in one run, on the gene-therapy dev questions.

    python bench/latency.py
The floor: the question's embedding plus the vector search, nothing else. Then /ask p50 / p95 / p99 in-process
and over HTTP (one keep-alive connection). The query cache is off, so every question is embedded every time.
"""

import http.client
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.engine import open_qa
from server.evaluate import read_questions
from server.settings import Settings
from tests.browser import live_server

ROUNDS = 10


def percentiles(seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    pick = lambda p: ms[min(len(ms) - 1, int(len(ms) * p))]
    return f"{pick(0.5):.2f} / {pick(0.95):.2f} / {pick(0.99):.2f}"


def main() -> None:
    questions = [(q.question, q.history) for q in read_questions(Path("../shared/eval/dev.jsonl"))] * ROUNDS
    qa = open_qa(Settings(query_cache=0))
    qa.ask("warm up")
    floor, inproc, over_http = [], [], []
    for question, _ in questions:
        began = time.perf_counter()
        qa.store.dense(qa.embedder.encode_query(question), qa.settings.candidates)
        floor.append(time.perf_counter() - began)
    for question, history in questions:
        began = time.perf_counter()
        qa.ask(question, history)
        inproc.append(time.perf_counter() - began)
    with live_server({"VERBATIM_QUERY_CACHE": "0"}) as (url, _):
        connection = http.client.HTTPConnection(url.removeprefix("http://"))
        for question, history in questions:
            body = json.dumps({"question": question, "history": history})
            began = time.perf_counter()
            connection.request("POST", "/ask", body, {"content-type": "application/json"})
            connection.getresponse().read()
            over_http.append(time.perf_counter() - began)
    base = sorted(floor)[len(floor) // 2]
    print(f"{len(questions)} questions ({ROUNDS} rounds), p50 / p95 / p99 in ms")
    for label, values in (("floor: embedding + vector search", floor), ("/ask in-process", inproc),
                          ("/ask over HTTP", over_http)):  # fmt: skip
        print(f"{label}: {percentiles(values)}  ({sorted(values)[len(values) // 2] / base:.2f}x the floor's p50)")


if __name__ == "__main__":
    main()
