"""What HTTP adds to an answer: /ask over a keep-alive connection against the engine in-process, same questions.

    python bench/http_overhead.py [QUESTIONS.jsonl]   (default: the gene-therapy dev questions over corpus/)
"""

import http.client
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from latency import post

from server.answer.evaluate import read_questions
from server.engine import open_qa
from server.settings import Settings
from tests.browser import live_server

ROUNDS = 5


def main(path: Path) -> None:
    questions = [(q.question, q.history) for q in read_questions(path)]
    qa = open_qa(Settings())
    inproc, over_http = [], []
    with live_server({}) as (url, _):
        connection = http.client.HTTPConnection(url.removeprefix("http://"))
        for _ in range(ROUNDS):  # repeated rounds: both sides answer from a warm query-embedding cache too
            for question, history in questions:
                began = time.perf_counter()
                qa.ask(question, history)
                inproc.append(time.perf_counter() - began)
                began = time.perf_counter()
                post(connection, question, history)
                over_http.append(time.perf_counter() - began)
    first = len(questions)  # the first round embeds each question; later ones hit the cache
    for label, part in (("first round (question embedded)", slice(0, first)), ("later rounds (cached)", slice(first, None))):
        a, b = statistics.median(inproc[part]), statistics.median(over_http[part])
        print(f"{label}: in-process p50 {1000 * a:.2f} ms, over HTTP p50 {1000 * b:.2f} ms, "
              f"HTTP adds {1000 * (b - a):.2f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/eval/dev.jsonl"))
