"""Evaluate settings variants on both dev sets in one process (query embeddings cached across variants).

    python bench/tune.py 'sentence_lexical=0.2,0.35,0.5' 'keep_ratio=0.9'
"""

import itertools
import sys
from pathlib import Path

from index.build import build_index
from index.embed import Embedder
from index.store import Store
from server.answer.evaluate import metrics, read_questions, run
from server.answer.qa import QA
from server.settings import Settings

SETS = {  # name: (corpus, index, questions); bench/squad.py writes the SQuAD corpus
    "dev": (Path("corpus"), Path("bench/out/dev/index"), Path("../shared/eval/dev.jsonl")),
    "squad": (Path("bench/out/squad/corpus"), Path("bench/out/squad/index"), Path("bench/out/squad/questions.jsonl")),
}


def open_sets(settings: Settings, embedder: Embedder) -> dict:
    """Each dev set's index (built or brought up to date first) and questions."""
    sets = {}
    for name, (corpus, index, questions) in SETS.items():
        build_index(corpus, index, settings.model, settings.max_passage_chars, embedder=lambda: embedder)
        sets[name] = (Store.open(index, settings.model, settings.max_passage_chars), read_questions(questions))
    return sets
SHOW = ("hit@1", "hit", "false_abstain", "abstain", "near_miss_abstain", "median_answer_words")


def main(specs: list[str]) -> None:
    grid = {k: [(int(x) if x.isdigit() else float(x)) if x.replace(".", "").isdigit() else x for x in v.split(",")]
            for k, v in (s.split("=") for s in specs)}  # fmt: skip
    base = Settings()
    embedder = Embedder(base.model, cache_size=10_000)
    stores = open_sets(base, embedder)
    for values in itertools.product(*grid.values()):
        settings = base.model_copy(update=dict(zip(grid, values, strict=True)))
        row = []
        for name, (store, questions) in stores.items():
            answers, latencies = run(QA(store, embedder, settings), questions)
            m = metrics(questions, answers, store.documents, latencies)
            row.append(f"{name}: " + " ".join(f"{k}={m[k]}" for k in SHOW if m[k] is not None))
        print(dict(zip(grid, values, strict=True)), " | ".join(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
