"""Full build against incremental rebuilds on a corpus of over 1,000 documents.

    python bench/rebuild.py
Documents: every sentence, and every pair of consecutive sentences, of the SQuAD articles (bench/squad.py) and the
gene-therapy text, one document each. Prints the full build's time and peak memory, then a rebuild after changing
one document and a rebuild with nothing changed.
"""

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from index.build import BuildReport, build_index
from index.embed import Embedder
from ingest.load import load_corpus
from ingest.split import passages
from server.settings import Settings


def make_corpus(sources: list[Path], out: Path) -> int:
    out.mkdir(parents=True)
    count = 0
    for source in sources:
        for item in load_corpus(source).loaded:
            for p_number, passage in enumerate(passages(item.document, item.blocks)):
                texts = [s.text for s in passage.sentences]
                pieces = texts + [f"{a} {b}" for a, b in pairwise(texts)]
                for number, text in enumerate(pieces):
                    name = f"{Path(item.document.doc_id).stem}-{p_number:03d}-{number:02d}.txt"
                    (out / name).write_text(text + "\n")
                    count += 1
    return count


def main() -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        documents = make_corpus([Path("bench/out/squad/corpus"), Path("corpus")], corpus)
        verbatim = shutil.which("verbatim", path=str(Path(sys.executable).parent))
        env = {"VERBATIM_CORPUS": str(corpus), "VERBATIM_INDEX": str(index), "PATH": str(Path(sys.executable).parent)}
        began = time.perf_counter()
        subprocess.run([verbatim, "index"], env=env, check=True, capture_output=True)
        full = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{documents} documents; full build with `verbatim index`: {full:.1f} s, peak memory {peak:.0f} MiB")

        embedder = Embedder(settings.model)  # loaded once, as a watching or serving process has it

        def rebuild() -> BuildReport:
            return build_index(corpus, index, settings.model, settings.max_passage_chars, embedder=lambda: embedder)

        shutil.rmtree(index)
        began = time.perf_counter()
        report = rebuild()
        full_in_process = time.perf_counter() - began
        print(f"full build in-process: {full_in_process:.2f} s ({report.passages} passages, {report.embedded} texts"
              f" embedded)")  # fmt: skip
        files = sorted(corpus.iterdir())
        target = files[len(files) // 2]
        target.write_text(target.read_text() + "This sentence was added by the benchmark.\n")
        began = time.perf_counter()
        report = rebuild()
        changed = time.perf_counter() - began
        print(f"one document changed: {changed:.2f} s ({report.changed}, {report.embedded} texts embedded) = "
              f"{100 * changed / full_in_process:.1f} % of the full build")  # fmt: skip
        began = time.perf_counter()
        report = rebuild()
        nothing = time.perf_counter() - began
        print(f"nothing changed: {nothing:.3f} s (version {report.version}) = {100 * nothing / full_in_process:.1f} %"
              f" of the full build; `verbatim index` then: ", end="")
        began = time.perf_counter()
        subprocess.run([verbatim, "index"], env=env, check=True, capture_output=True)
        print(f"{time.perf_counter() - began:.2f} s wall, imports included ({len(files)} files hashed)")


if __name__ == "__main__":
    main()
