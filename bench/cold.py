"""How long the answer's ranking takes depending on what the process did just before it.

    python bench/cold.py
The ranking (server.answer.retrieve.rank: both searches, BM25 and the sentence features) of each dev question, from its
vector computed beforehand, timed right after each of: nothing (back to back), summing 8 MB (fits the L3 cache),
summing 100 MB, encoding a question, sleeping 4 ms, and a 4 ms busy loop that touches almost no memory. The
conditions take turns round by round.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from index.text import tokens
from server.answer.evaluate import percentile_ms, read_questions
from server.answer.retrieve import rank
from server.engine import open_qa
from server.settings import Settings

ROUNDS = 8


def busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def main() -> None:
    questions = [q.question for q in read_questions(Path("../shared/eval/dev.jsonl"))]
    qa = open_qa(Settings(query_cache=0))
    vectors = [qa.embedder.encode_query(q) for q in questions]
    small, large = np.ones(8_000_000 // 8), np.ones(100_000_000 // 8)
    before = {"nothing (back to back)": lambda q: None, "summing 8 MB": lambda q: small.sum(),
              "summing 100 MB": lambda q: large.sum(), "encoding a question": qa.embedder.encode_query,
              "sleeping 4 ms": lambda q: time.sleep(0.004), "a 4 ms busy loop": lambda q: busy(0.004)}  # fmt: skip
    times: dict[str, list[float]] = {label: [] for label in before}
    for _ in range(ROUNDS):
        for label, step in before.items():
            for question, vector in zip(questions, vectors, strict=True):
                step(question)
                began = time.perf_counter()
                rank(qa.store, question, vector, tokens(question), qa.settings)
                times[label].append(time.perf_counter() - began)
    print(f"ranking of {len(questions)} questions x {ROUNDS} rounds, p50 in ms, right after:")
    for label, values in times.items():
        print(f"  {label}: {percentile_ms(values, 0.5):.3f}")


if __name__ == "__main__":
    main()
