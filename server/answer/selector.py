"""The learned sentence selector and answer confidence, read from a model file; numpy only at answer time.

Two small models fitted by bench/train_selector.py on permissively licensed questions (SelQA and three SQuAD
articles): a pointwise one giving each candidate sentence its probability of holding the answer (rows of
server.answer.retrieve.FEATURES), and a logistic one giving the probability that the answer built from the ranked
candidates is right (rows of SIGNALS), fitted on answers the first model gave to articles it had not seen.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).with_name("selector.json")


def _layers(spec: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(layer["weights"], dtype=np.float32), np.asarray(layer["bias"], dtype=np.float32))
            for layer in spec]  # fmt: skip


@dataclass(frozen=True)
class Network:
    """Standardized inputs through dense layers (ReLU between them) to one logit."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]

    @classmethod
    def of(cls, spec: dict) -> "Network":
        return cls(tuple(spec["features"]), np.asarray(spec["mean"], dtype=np.float32),
                   np.asarray(spec["scale"], dtype=np.float32), _layers(spec["layers"]))  # fmt: skip

    def logits(self, rows: np.ndarray) -> np.ndarray:
        x = (np.asarray(rows, dtype=np.float32) - self.mean) / self.scale
        for n, (weights, bias) in enumerate(self.layers):
            x = x @ weights + bias
            if n < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return x.reshape(-1)


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class Selector:
    sentence: Network  # candidate sentence -> logit of holding the answer
    answer: Network  # SIGNALS of the ranked candidates -> logit of the answer being right
    threshold: float  # answers with a lower confidence are refused (chosen for the refused-answerable target)
    info: dict  # how it was fitted, and what it measured

    def logits(self, rows: np.ndarray) -> np.ndarray:
        """Each candidate's logit of holding the answer, from its features."""
        return self.sentence.logits(rows) if len(rows) else np.zeros(0, dtype=np.float32)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits(rows))

    def confidence(self, signals: np.ndarray) -> float:
        return float(sigmoid(self.answer.logits(signals.reshape(1, -1))[0]))

    def to_dict(self) -> dict:
        def spec(net: Network) -> dict:
            return {"features": list(net.names), "mean": net.mean.tolist(), "scale": net.scale.tolist(),
                    "layers": [{"weights": w.tolist(), "bias": b.tolist()} for w, b in net.layers]}  # fmt: skip

        return {"sentence": spec(self.sentence), "answer": spec(self.answer), "threshold": self.threshold,
                "info": self.info}  # fmt: skip


def read(path: Path) -> Selector:
    spec = json.loads(path.read_text(encoding="utf-8"))
    return Selector(Network.of(spec["sentence"]), Network.of(spec["answer"]), float(spec["threshold"]),
                    spec.get("info", {}))  # fmt: skip


@cache
def shipped() -> Selector:
    """The model file in the repository, read once per process."""
    return read(MODEL)


# What the answer's confidence reads beyond the candidates: whether the evidence lacks a qualifier of the question
# (server.answer.terms.unsupported_qualifiers), whether none of its own words is the documents', how many own words it has.
QUESTION_SIGNALS = ("unsupported", "foreign", "own_words")


def signals(probabilities: np.ndarray, best_row: np.ndarray, question: tuple[float, ...]) -> np.ndarray:
    """What the answer's confidence is computed from: the two best candidates' logits, the best one's features and
    the question's signals (QUESTION_SIGNALS)."""
    top = np.clip(np.sort(probabilities)[::-1][:2], 1e-6, 1 - 1e-6)
    logit = np.log(top / (1 - top))
    second = float(logit[1]) if len(logit) > 1 else -14.0
    return np.concatenate([[float(logit[0]), second, float(logit[0]) - second], best_row, question]).astype(np.float32)


def signal_names(features: tuple[str, ...]) -> tuple[str, ...]:
    return ("logit_best", "logit_second", "logit_margin", *(f"best_{name}" for name in features), *QUESTION_SIGNALS)
