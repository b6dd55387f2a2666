"""Answer time in-process, and how much of it is the models' own inference, on the gene-therapy and SQuAD indexes.

    .venv/bin/python bench/answer_time.py [--rounds 3] [--sets dev,squad]

Every question of each set is asked `--rounds` times (query cache off, so each is encoded every time) through
QA.ask, as POST /ask answers it. The models' inference is timed in the same calls: the question's encoding (the
ONNX export) and the reranker's reading of the best candidates (server.answer.rerank); the rest is retrieval, the
selector's features and scoring, the abstention checks and the answer's assembly. Indexes from bench/quality.py's
folders (bench/out/quality/<set>/index), built there when missing.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import sets

from server.answer import rerank
from server.answer.evaluate import read_questions
from server.engine import build, open_qa
from server.settings import Settings


class Clock:
    """Seconds spent inside the wrapped calls since the last reset."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, call: Callable) -> Callable:
        def timed(*args: object, **kwargs: object) -> object:
            began = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - began

        return timed


def ms(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", default="dev,squad")
    args = parser.parse_args()
    print("| index | questions × rounds | /ask p50 | p95 | models' inference p50 | rest p50 | rest / inference |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        folder = Path("bench/out/quality") / name
        sets.convert(name, folder)
        settings = Settings(corpus=folder / "corpus", index=folder / "index", query_cache=0)
        build(settings)
        qa = open_qa(settings)
        clock = Clock()
        qa.embedder.encode = clock.wrap(qa.embedder.encode)
        reranker = rerank.shipped()
        if reranker is not None:
            reranker.logits = clock.wrap(reranker.logits)
        questions = read_questions(folder / "questions.jsonl")
        for q in questions[:20]:  # warm-up: sessions, caches, lazily made word lists
            qa.ask(q.question, q.history)
        total, inference = [], []
        for _ in range(args.rounds):
            for q in questions:
                clock.spent = 0.0
                began = time.perf_counter()
                qa.ask(q.question, q.history)
                total.append(time.perf_counter() - began)
                inference.append(clock.spent)
        rest = [t - i for t, i in zip(total, inference, strict=True)]
        share = float(np.median(rest) / np.median(inference))
        print(f"| {name} | {len(questions)} × {args.rounds} | {ms(total, 50)} ms | {ms(total, 95)} ms | "
              f"{ms(inference, 50)} ms | {ms(rest, 50)} ms | {share:.0%} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
