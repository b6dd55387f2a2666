"""Speed figures of the engine on the SQuAD corpus (bench/squad.py writes it).

    python bench/speed.py
Prints: index build time against the model alone embedding the same units; `verbatim ask` cold; in-process answer
time per question against the query embedding alone.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from index.build import build_index
from index.embed import Embedder
from index.layout import passage_text_for_embedding, sentence_text_for_embedding
from index.runtime import query_encoder
from index.store import Store
from ingest.load import load_corpus
from ingest.split import passages
from server.answer.evaluate import read_questions
from server.answer.qa import QA
from server.settings import Settings

SQUAD = Path("bench/out/squad")


def ms(values: list[float]) -> str:
    return f"p50 {1000 * statistics.median(values):.1f} ms, p95 {1000 * sorted(values)[int(len(values) * .95)]:.1f} ms"


def main() -> None:
    settings = Settings()
    embedder = Embedder(settings.model, cache_size=0)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        report = build_index(SQUAD / "corpus", Path(tmp) / "index", settings.model, settings.max_passage_chars,
                             embedder=lambda: embedder)  # fmt: skip
        build = time.perf_counter() - began
    units = [p for item in load_corpus(SQUAD / "corpus").loaded for p in passages(item.document, item.blocks)]
    texts = list(dict.fromkeys([passage_text_for_embedding(p) for p in units]
                               + [sentence_text_for_embedding(p, s) for p in units for s in p.sentences]))  # fmt: skip
    began = time.perf_counter()
    embedder.encode(texts)
    alone = time.perf_counter() - began
    print(f"build over SQuAD ({report.passages} passages, {report.sentences} sentences, {len(texts)} unique units):"
          f" {build:.1f} s; the model alone embedding them: {alone:.1f} s; ratio {build / alone:.2f}x")  # fmt: skip

    env = {**os.environ, "VERBATIM_CORPUS": str(SQUAD / "corpus"), "VERBATIM_INDEX": str(SQUAD / "index")}
    verbatim = shutil.which("verbatim", path=str(Path(sys.executable).parent))
    build_index(SQUAD / "corpus", SQUAD / "index", settings.model, settings.max_passage_chars, embedder=lambda: embedder)
    cold = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([verbatim, "ask", "Who was the duke in the battle of Hastings?"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        cold.append(time.perf_counter() - began)
    print(f"`verbatim ask` cold, first answer: median of 3 {statistics.median(cold):.2f} s")

    store = Store.open(SQUAD / "index", settings.model, settings.max_passage_chars)
    questions = [q.question for q in read_questions(SQUAD / "questions.jsonl")][:300]
    onnx = query_encoder(SQUAD / "index", settings.model)
    onnx._cache_size = 0  # every question embedded, none answered from the cache
    for label, encoder in (("sentence-transformers (torch)", embedder), ("ONNX export (default)", onnx)):
        qa = QA(store, encoder, settings)
        for q in questions[:20]:
            qa.ask(q)  # warm up
        embed, answer = [], []
        for q in questions:
            began = time.perf_counter()
            encoder.encode([q])
            embed.append(time.perf_counter() - began)
            began = time.perf_counter()
            qa.ask(q)
            answer.append(time.perf_counter() - began)
        ratio = statistics.median(answer) / statistics.median(embed)
        print(f"{label}: query embedding alone {ms(embed)}; whole answer in-process {ms(answer)}; "
              f"p50 ratio {ratio:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
