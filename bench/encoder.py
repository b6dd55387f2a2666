"""How ONNX Runtime's worker threads wait, against the time to encode a question and the CPU it takes.

    python bench/encoder.py
On the gene-therapy dev questions with the index's ONNX export (two threads, as onnxruntime picks on two cores):
threads that sleep between the model's operators, threads that spin, and threads that spin only while a question is
encoded (the default, index.runtime.OnnxEncoder). After each question the script waits 3 ms, as a server does for
the next one, so the CPU column also shows threads still spinning after a question is done. The settings take
turns round by round.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from index.runtime import OnnxEncoder, export_folder, open_session
from server.answer.evaluate import read_questions
from server.settings import Settings

ROUNDS = 10
WAITING = {"sleep": {"session.intra_op.allow_spinning": "0"},
           "spin": {"session.intra_op.allow_spinning": "1"},
           "spin, stopped after each question (default)": {"session.intra_op.allow_spinning": "1",
                                                           "session.force_spinning_stop": "1"}}  # fmt: skip


def main() -> None:
    settings = Settings()
    folder = export_folder(settings.index, settings.model)
    encoder = OnnxEncoder(folder, settings.model, cache_size=0)
    questions = [q.question for q in read_questions(Path("../shared/eval/dev.jsonl"))]
    sessions = {name: open_session(folder, config) for name, config in WAITING.items()}
    wall: dict[str, list[float]] = {name: [] for name in sessions}
    cpu: dict[str, list[float]] = {name: [] for name in sessions}
    for _ in range(ROUNDS):
        for name, waiting in sessions.items():
            encoder.session = waiting
            for question in questions:
                began, began_cpu = time.perf_counter(), time.process_time()
                encoder.encode([question])
                wall[name].append(time.perf_counter() - began)
                time.sleep(0.003)
                cpu[name].append(time.process_time() - began_cpu)
    print(f"{len(questions)} questions x {ROUNDS} rounds; p50 in ms")
    for name in sessions:
        print(f"{name}: encoding {1000 * statistics.median(wall[name]):.2f}, "
              f"CPU per question with the 3 ms wait after it {1000 * statistics.median(cpu[name]):.2f}")


if __name__ == "__main__":
    main()
