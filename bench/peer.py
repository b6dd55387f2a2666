"""The common RAG recipe beside Verbatim, same questions, same model, same machine.

    python bench/peer.py QUESTIONS.jsonl CORPUS_DIR INDEX_DIR
The peer: 500-character chunks with 50 characters of overlap, embedded by the same model into FAISS, and the top
chunk returned as the answer. Scored like `verbatim eval`: the answer holds a gold phrase (for the peer the chunk
is its whole answer; for Verbatim, its sentences), answer length in words, latency per question.
"""

import statistics
import sys
import time
from pathlib import Path

import faiss

from index.embed import Embedder
from ingest.load import load_corpus
from server.answer.evaluate import percentile_ms, read_questions
from server.answer.followup import resolve
from server.engine import open_qa
from server.settings import Settings

CHUNK, OVERLAP = 500, 50


def chunks(text: str) -> list[str]:
    return [text[i : i + CHUNK] for i in range(0, max(len(text) - OVERLAP, 1), CHUNK - OVERLAP)]


def row(name: str, hits: list[bool], words: list[int], seconds: list[float]) -> str:
    return (f"| {name} | {sum(hits) / len(hits):.3f} | {statistics.median(words):.0f} | "
            f"{percentile_ms(seconds, 0.5):.1f} / {percentile_ms(seconds, 0.95):.1f} |")  # fmt: skip


def main(questions_path: Path, corpus: Path, index: Path) -> None:
    questions = [q for q in read_questions(questions_path) if q.kind in ("answerable", "followup")]
    embedder = Embedder()
    texts = [c for item in load_corpus(corpus).loaded for c in chunks(item.document.text)]
    search = faiss.IndexFlatIP(embedder.dim)
    search.add(embedder.encode(texts))
    qa = open_qa(Settings(corpus=corpus, index=index))
    peer, ours = ([], [], []), ([], [], [])
    qa.ask(questions[0].question)  # warm up: first use fills lazily built caches
    for q in questions:
        query = resolve(q.question, q.history)  # the peer gets the same follow-up resolution, to be fair
        began = time.perf_counter()
        _, ids = search.search(qa.embedder.encode([query]), 1)
        chunk = texts[ids[0][0]]
        peer[2].append(time.perf_counter() - began)
        peer[0].append(any(g in chunk for g in q.gold))
        peer[1].append(len(chunk.split()))
        began = time.perf_counter()
        answer = qa.ask(q.question, q.history)
        ours[2].append(time.perf_counter() - began)
        ours[0].append(any(g in s.text for g in q.gold for s in answer.sentences))
        ours[1].append(sum(len(s.text.split()) for s in answer.sentences))
    print(f"{len(questions)} answerable questions; {len(texts)} peer chunks")
    print("| system | gold phrase in the answer | median answer words | latency p50 / p95 (ms) |")
    print("|---|---|---|---|")
    print(row("peer: top 500-character chunk", *peer))
    print(row("Verbatim: up to 3 cited sentences", *ours))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
