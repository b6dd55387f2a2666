"""The ONNX export answers questions with the model's own vectors, without importing torch."""

import subprocess
import sys

import numpy as np

from index.build import BuildReport
from index.embed import Embedder
from index.runtime import ONNX_FILE, OnnxEncoder, export_folder
from server.engine import open_qa
from server.settings import Settings

TEXTS = [
    "What is CAR-T cell therapy?",
    "Is it still maturing?",
    "Adeno-associated viruses (AAVs) infect cells efficiently — without integrating permanently.",
    " ".join(["Viral vectors are grown in living cells inside bioreactors."] * 60),  # past the 256-token limit
]


def test_build_exports_the_model_once_per_index(settings: Settings, built: BuildReport) -> None:
    folder = export_folder(settings.index, settings.model)
    assert (folder / ONNX_FILE).stat().st_size > 1_000_000 and (folder / "tokenizer.json").exists()


def test_exported_encoder_gives_the_models_vectors(settings: Settings, embedder: Embedder, built: BuildReport) -> None:
    onnx = OnnxEncoder(export_folder(settings.index, settings.model), settings.model)
    expected = embedder.encode(TEXTS)
    batch = onnx.encode(TEXTS)  # padded together
    one_by_one = np.stack([onnx.encode([t])[0] for t in TEXTS])
    assert batch.shape == expected.shape and onnx.dim == embedder.dim
    assert np.min(np.sum(batch * expected, axis=1)) > 0.9999
    assert np.min(np.sum(one_by_one * expected, axis=1)) > 0.9999


def test_answering_uses_the_export_unless_told_not_to(settings: Settings, built: BuildReport) -> None:
    assert isinstance(open_qa(settings).embedder, OnnxEncoder)
    assert isinstance(open_qa(settings.model_copy(update={"fast_queries": False})).embedder, Embedder)


def test_answering_from_the_export_imports_no_torch(settings: Settings, built: BuildReport) -> None:
    code = ("import sys; from server.engine import open_qa; from server.settings import Settings; "
            f"qa = open_qa(Settings(index={str(settings.index)!r})); "
            "assert qa.ask('Where are viral vectors grown?').answered; print('torch' in sys.modules)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"


def test_encoder_threads_spin_only_in_a_lone_server_process(settings: Settings, built: BuildReport) -> None:
    def spinning(workers: int) -> str:
        session = open_qa(settings.model_copy(update={"workers": workers})).embedder.session
        return session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning")

    assert spinning(1) == "1"
    assert spinning(2) == "0"
