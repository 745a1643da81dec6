"""Model files: the skops allowlist, pickle only when trusted, and a contained child process."""

from __future__ import annotations

import hashlib
import json
import operator
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.model import ModelLimits
from riskcheck.fairness.spec import BootstrapSpec
from tests.fairness.conftest import write_csv

Run = Callable[..., tuple[int, str, str]]

FEATURE_ROWS = [
    ("A", 0.0, 1.0, 0),
    ("A", 1.0, 0.0, 0),
    ("A", 2.0, 1.0, 1),
    ("A", 3.0, 0.0, 1),
    ("B", 0.5, 1.0, 0),
    ("B", 2.5, 0.0, 1),
    ("B", 3.5, 1.0, 1),
    ("B", 0.2, 0.0, 0),
]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small models written once: skops (plain and with an untrusted function), pickles."""
    import pandas as pd
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    folder = tmp_path_factory.mktemp("models")
    frame = pd.DataFrame(FEATURE_ROWS, columns=["g", "x1", "x2", "y"])
    features, target = frame[["x1", "x2"]], frame["y"]
    plain = LogisticRegression().fit(features, target)
    paths = {
        "plain": folder / "plain.skops",
        "untrusted": folder / "untrusted.skops",
        "pickle": folder / "plain.pkl",
        "sleeps": folder / "sleeps.pkl",
        "allocates": folder / "allocates.pkl",
        "exits": folder / "exits.pkl",
        "numpy": folder / "numpy.pkl",
    }
    sio.dump(plain, paths["plain"])
    sio.dump(
        make_pipeline(FunctionTransformer(operator.neg), LogisticRegression()).fit(features, target),
        paths["untrusted"],
    )
    paths["numpy"].write_bytes(pickle.dumps(LogisticRegression().fit(features.to_numpy(), target)))
    paths["pickle"].write_bytes(pickle.dumps(plain))
    paths["sleeps"].write_bytes(pickle.dumps(_Reduce(time.sleep, (60,))))
    paths["allocates"].write_bytes(pickle.dumps(_Reduce(bytearray, (3 * 1024**3,))))
    paths["exits"].write_bytes(pickle.dumps(_Reduce(os._exit, (9,))))
    return paths


class _Reduce:
    """Pickles as a call to ``function(*args)``: what a hostile file does when loaded."""

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self.function, self.args


@pytest.fixture
def features_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "features.csv", ["g", "x1", "x2", "y"], FEATURE_ROWS)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_model(data: Path, model: Path, **options: Any) -> Any:
    settings: dict[str, Any] = {
        "target": "y",
        "sensitive": ["g"],
        "model": model,
        "min_group_size": 1,
        "min_class_size": 1,
        "bootstrap": BootstrapSpec(replicates=0),
    }
    settings.update(options)
    return compute_fairness(data, **settings)


def test_a_model_with_a_threshold_uses_the_positive_class_probability(
    features_csv: Path, models: dict[str, Path]
) -> None:
    # a trusted pickle: the child process then does not pay for importing skops
    everyone = run_model(features_csv, models["pickle"], trust_model=True, threshold=0.0)
    assert everyone.overall["selection_rate"] == 1.0
    assert everyone.model_sha256 == hashlib.sha256(models["pickle"].read_bytes()).hexdigest()


def test_untrusted_skops_types_are_refused_by_name(run_cli: Run, features_csv: Path, models: dict[str, Path]) -> None:
    code, out, err = run_cli(
        "fairness", "--data", features_csv, "--target", "y", "--sensitive", "g",
        "--model", models["untrusted"],
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"error: {models['untrusted']}: refusing to load the model: it holds types that "
        "riskcheck does not trust: _operator.neg. Save it with scikit-learn and numpy types "
        f"only; if you trust this file (sha256 {sha256_of(models['untrusted'])}), pass --trust-model or list "
        "its sha256 under [tool.riskcheck] trusted-models in the project's pyproject.toml\n"
    )


def test_trusting_a_skops_model_loads_it_with_a_warning(features_csv: Path, models: dict[str, Path]) -> None:
    warnings: list[str] = []
    result = run_model(features_csv, models["untrusted"], trust_model=True, warn=warnings.append)
    note = f"{models['untrusted']}: trusted type _operator.neg loaded because the model is trusted (--trust-model)"
    assert warnings == [f"warning: {note}"]
    assert result.warnings == (note,)


def test_pickle_is_refused_without_trust(run_cli: Run, features_csv: Path, models: dict[str, Path]) -> None:
    code, out, err = run_cli(
        "fairness", "--data", features_csv, "--target", "y", "--sensitive", "g",
        "--model", models["pickle"],
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"error: {models['pickle']}: refusing to load a .pkl model: pickle and joblib files "
        "can run any code when loaded. Save the model with skops (skops.io.dump); if you trust "
        f"this file (sha256 {sha256_of(models['pickle'])}), pass --trust-model or list its sha256 "
        "under [tool.riskcheck] trusted-models in the project's pyproject.toml\n"
    )


def test_trusted_pickle_prints_its_sha256_and_a_warning(
    run_cli: Run, features_csv: Path, models: dict[str, Path]
) -> None:
    sha = hashlib.sha256(models["pickle"].read_bytes()).hexdigest()
    code, out, err = run_cli(
        "fairness", "--data", features_csv, "--target", "y", "--sensitive", "g",
        "--model", models["pickle"], "--trust-model", "--min-group-size", "1",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    warning = (
        f"{models['pickle']}: loading with pickle because the model is trusted "
        f"(--trust-model); pickle runs any code in the file. sha256 {sha}"
    )
    assert err == f"warning: {warning}\n"
    assert json.loads(out)["warnings"] == [warning]


def test_a_model_that_sleeps_is_stopped_at_the_time_limit(features_csv: Path, models: dict[str, Path]) -> None:
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        run_model(features_csv, models["sleeps"], trust_model=True, limits=ModelLimits(seconds=2))
    assert time.monotonic() - started < 20
    assert str(caught.value) == (
        f"{models['sleeps']}: the model did not load and predict within the time limit of 2 s; it was stopped"
    )


def test_a_model_that_allocates_too_much_fails_cleanly(features_csv: Path, models: dict[str, Path]) -> None:
    limits = ModelLimits(memory_bytes=1024**3)
    with pytest.raises(DataError) as caught:
        run_model(features_csv, models["allocates"], trust_model=True, limits=limits)
    assert str(caught.value) == (
        f"{models['allocates']}: the model ran out of memory trying to load (the limit is 1,073,741,824 bytes)"
    )


def test_a_model_that_kills_its_process_fails_cleanly(features_csv: Path, models: dict[str, Path]) -> None:
    with pytest.raises(DataError) as caught:
        run_model(features_csv, models["exits"], trust_model=True)
    assert str(caught.value) == (
        f"{models['exits']}: the model process exited with code 9 before giving predictions; "
        "limits: 4,294,967,296 bytes of memory, 300 s"
    )


def test_a_model_missing_its_columns(run_cli: Run, tmp_path: Path, models: dict[str, Path]) -> None:
    data = write_csv(tmp_path / "x1.csv", ["g", "x1", "y"], [(g, a, y) for g, a, _, y in FEATURE_ROWS])
    code, out, err = run_cli(
        "fairness", "--data", data, "--target", "y", "--sensitive", "g",
        "--model", models["pickle"], "--trust-model",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.endswith(
        f"error: {models['pickle']}: the model cannot predict on the columns given: it was fit "
        "on column(s) 'x2' that the data lacks; available columns: g, x1\n"
    )


def test_a_model_that_cannot_predict_on_the_columns_given(
    run_cli: Run, features_csv: Path, models: dict[str, Path]
) -> None:
    # fit on two numeric columns without names; given the text column g as well
    code, out, err = run_cli(
        "fairness", "--data", features_csv, "--target", "y", "--sensitive", "g",
        "--model", models["numpy"], "--trust-model", "--features", "g,x1",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.endswith(
        f"error: {models['numpy']}: the model could not predict on the columns given: "
        "ValueError: could not convert string to float: 'A'\n"
    )


@pytest.mark.parametrize(
    ("name", "trust", "expected"),
    [
        (
            "model.onnx",
            False,
            "ONNX models are not supported; save the model with skops, or give its "
            "predictions as a column (--prediction)",
        ),
        (
            "model.bin",
            True,
            "unknown model file type '.bin'; expected .skops (or, when trusted, .pkl, .pickle, .joblib)",
        ),
    ],
)
def test_unsupported_model_files(features_csv: Path, tmp_path: Path, name: str, trust: bool, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x08\x01")
    with pytest.raises(DataError) as caught:
        run_model(features_csv, path, trust_model=trust)
    assert str(caught.value) == f"{path}: {expected}"


def test_a_corrupt_skops_file(features_csv: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.skops"
    path.write_bytes(b"not a zip archive")
    with pytest.raises(DataError) as caught:
        run_model(features_csv, path)
    assert str(caught.value) == (f"{path}: not a skops file: it is not a zip archive (it starts with b'not ')")
