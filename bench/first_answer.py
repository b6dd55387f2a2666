"""What a fresh server costs its first users: start-up to ready, then its first answers over HTTP.

    python bench/first_answer.py
Starts `verbatim serve` (the gene-therapy index, query cache off) three times. Each time: seconds from the process's
start to /healthz answering, then the first three questions, each asked for the first time: one the documents
answer, one with a rare lowercase word they never use (its spelling is checked against common English words), and
another one they answer. Medians of the three starts.
"""

import http.client
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from latency import post

from tests.browser import live_server

STARTS = 3
QUESTIONS = ("What is gene therapy?", "Is gene therapy used for xerophthalmia?", "What are the risks of gene therapy?")


def main() -> None:
    ready: list[float] = []
    answers: list[list[float]] = [[] for _ in QUESTIONS]
    for _ in range(STARTS):
        began = time.perf_counter()
        with live_server({"VERBATIM_QUERY_CACHE": "0"}) as (url, _):
            ready.append(time.perf_counter() - began)
            connection = http.client.HTTPConnection(url.removeprefix("http://"))
            for question, times in zip(QUESTIONS, answers, strict=True):
                began = time.perf_counter()
                post(connection, question, [])
                times.append(time.perf_counter() - began)
    print(f"start to ready (median of {STARTS}): {statistics.median(ready):.2f} s")
    for question, times in zip(QUESTIONS, answers, strict=True):
        print(f"first time asked, {question!r}: {1000 * statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
