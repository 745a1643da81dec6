"""Trust to unpickle a model is given by whoever runs riskcheck, never by the file checked.

Issue 11, item 1: an assessment with ``trust_model: true`` made ``riskcheck check`` run
its pickle. Every hostile pickle here writes a marker file when it is loaded; each
test asserts the marker is absent, so a regression shows as code that ran.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from riskcheck.cli.main import main
from tests.pm.conftest import DATA, write_draft

Run = Callable[..., tuple[int, str, str]]

HOW_TO_TRUST = (
    "pass --trust-model or list its sha256 under [tool.riskcheck] trusted-models in the project's pyproject.toml"
)


class _Reduce:
    """Pickles as a call to ``function(*args)``: what a hostile file does when loaded."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self.function, self.args


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run_cli(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory: a questionnaire, data, a real scikit-learn pickle and a hostile one."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(DATA / "questionnaire.yaml", folder / "questionnaire.yaml")
    rows = [(sex, float(x), int(x >= 5)) for sex in ("F", "M") for x in range(10)]
    frame = pd.DataFrame(rows, columns=["sex", "x", "y"])
    frame.to_csv(folder / "data.csv", index=False)
    model = LogisticRegression().fit(frame[["x"]], frame["y"])
    (folder / "model.pkl").write_bytes(pickle.dumps(model))
    (folder / "hostile.pkl").write_bytes(pickle.dumps(_Reduce(Path.write_text, folder / "pwned", "ran")))
    monkeypatch.chdir(folder)
    return folder


def assessment(folder: Path, model: str, *, trust_line: bool = False, name: str = "a.yaml") -> Path:
    path = write_draft(folder, name, system=f"System {name}")
    block = f"fairness:\n  data: data.csv\n  target: y\n  model: {model}\n  sensitive: [sex]\n"
    if trust_line:
        block += "  trust_model: true\n"
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    return path


def trust_in_pyproject(folder: Path, *digests: str) -> Path:
    listed = ", ".join(f'"{digest}"' for digest in digests)
    path = folder / "pyproject.toml"
    path.write_text(f"[tool.riskcheck]\ntrusted-models = [{listed}]\n", encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("command", ["check", "score", "validate"])
def test_an_assessment_cannot_trust_its_own_model(run: Run, project: Path, command: str) -> None:
    path = assessment(project, "hostile.pkl", trust_line=True)
    code, out, err = run(command, path.name)
    assert (code, out) == (2, "")
    line = line_of(path, "trust_model: true")
    assert err.splitlines()[0].removeprefix("error: ") == (
        f"a.yaml:{line}:16: fairness.trust_model: a file cannot trust its own model: trust is given by "
        f"whoever runs riskcheck; to trust this model, {HOW_TO_TRUST}"
    )
    assert "Traceback" not in err
    assert not (project / "pwned").exists()


def test_even_with_trust_given_the_file_may_not_ask_for_it(run: Run, project: Path) -> None:
    # the file is refused as written: it cannot be right to check it with a flag either
    path = assessment(project, "hostile.pkl", trust_line=True)
    trust_in_pyproject(project, sha256_of(project / "hostile.pkl"))
    assert run("score", path.name, "--trust-model")[0] == 2
    assert not (project / "pwned").exists()


def test_a_pickle_nobody_trusted_is_refused_with_how_to_trust_it(run: Run, project: Path) -> None:
    path = assessment(project, "hostile.pkl")
    code, out, err = run("check", path.name)
    assert (code, out) == (2, "")
    assert err == (
        "error: a.yaml: fairness: hostile.pkl: refusing to load a .pkl model: pickle and joblib files can run "
        "any code when loaded. Save the model with skops (skops.io.dump); if you trust this file "
        f"(sha256 {sha256_of(project / 'hostile.pkl')}), {HOW_TO_TRUST}\n"
    )
    assert not (project / "pwned").exists()


def test_trust_model_on_the_command_line_loads_the_pickle(run: Run, project: Path) -> None:
    path = assessment(project, "model.pkl")
    code, out, err = run("score", path.name, "--trust-model", "--format", "json")
    assert code == 0, err
    assert (
        f"model.pkl: loading with pickle because the model is trusted (--trust-model); pickle runs "
        f"any code in the file. sha256 {sha256_of(project / 'model.pkl')}"
    ) in out
    code, _, err = run("check", path.name, "--trust-model", "--allow-incomplete")
    assert code in (0, 1), err


def test_a_model_loaded_on_trust_is_named_on_standard_error(run: Run, project: Path) -> None:
    path = assessment(project, "model.pkl")
    code, _, err = run("score", path.name, "--trust-model")
    assert code == 0, err
    assert err.splitlines()[-1] == (
        "warning: model.pkl: loading with pickle because the model is trusted (--trust-model); pickle runs "
        f"any code in the file. sha256 {sha256_of(project / 'model.pkl')}"
    )


@pytest.mark.parametrize(
    "command",
    [
        ("sign", "a.yaml", "--name", "Ada", "--role", "legal", "--decision", "approve"),
        ("diff", "a.yaml", "a.yaml"),
        ("report", "a.yaml", "--html", "a.html"),
    ],
    ids=["sign", "diff", "report"],
)
def test_every_command_that_scores_takes_trust_on_the_command_line(
    run: Run, project: Path, command: tuple[str, ...]
) -> None:
    assessment(project, "model.pkl")
    code, _, err = run(*command)
    assert code == 2 and "refusing to load a .pkl model" in err, err
    code, _, err = run(*command, "--trust-model")
    assert code == 0, err
    assert f"sha256 {sha256_of(project / 'model.pkl')}" in err


def test_check_reads_trust_from_the_pyproject_given_with_config(run: Run, project: Path, tmp_path: Path) -> None:
    path = assessment(project, "model.pkl")
    elsewhere = tmp_path / "policy"
    elsewhere.mkdir()
    pyproject = trust_in_pyproject(elsewhere, sha256_of(project / "model.pkl"))
    assert run("check", path.name, "--allow-incomplete")[0] == 2
    code, _, err = run("check", path.name, "--allow-incomplete", "--config", pyproject)
    assert code in (0, 1), err
    assert f"trusted-models in {pyproject}" in err


def test_the_projects_pyproject_trusts_one_model_by_its_sha256(run: Run, project: Path) -> None:
    trusted = assessment(project, "model.pkl")
    hostile = assessment(project, "hostile.pkl", name="b.yaml")
    pyproject = trust_in_pyproject(project, sha256_of(project / "model.pkl").upper())
    code, out, err = run("score", trusted.name, "--format", "json")
    assert code == 0, err
    assert '"model_sha256": "' + sha256_of(project / "model.pkl") in out
    assert (
        "model.pkl: loading with pickle because the model is trusted (its sha256 is in "
        f"trusted-models in {pyproject}); pickle runs any code in the file."
    ) in out
    code, _, err = run("score", hostile.name)
    assert code == 2
    assert "refusing to load a .pkl model" in err
    assert not (project / "pwned").exists()


def test_a_trusted_path_whose_bytes_changed_is_not_trusted(run: Run, project: Path) -> None:
    path = assessment(project, "model.pkl")
    trust_in_pyproject(project, sha256_of(project / "model.pkl"))
    shutil.copy(project / "hostile.pkl", project / "model.pkl")  # a pull request swaps the bytes
    code, _, err = run("score", path.name)
    assert code == 2
    assert f"(sha256 {sha256_of(project / 'model.pkl')})" in err
    assert not (project / "pwned").exists()


def test_a_trusted_models_entry_that_is_not_a_sha256_is_an_error(run: Run, project: Path) -> None:
    path = assessment(project, "model.pkl")
    pyproject = trust_in_pyproject(project, "model.pkl")
    code, out, err = run("score", path.name)
    assert (code, out) == (2, "")
    assert err == (
        f"error: {pyproject}: [tool.riskcheck] trusted-models: expected the sha256 of each trusted model file "
        "(64 hex digits), got ['model.pkl']\n"
    )


def test_the_python_api_trusts_nothing_unless_asked(project: Path) -> None:
    from riskcheck import api
    from riskcheck.core.errors import RiskcheckError
    from riskcheck.fairness.trust import ModelTrust, trusting

    path = assessment(project, "hostile.pkl")
    with pytest.raises(RiskcheckError, match=r"refusing to load a \.pkl model"):
        api.score(path)
    trust_in_pyproject(project, sha256_of(project / "hostile.pkl"))  # a policy file alone gives nothing
    with pytest.raises(RiskcheckError, match=r"refusing to load a \.pkl model"):
        api.score(path)
    other_model = ModelTrust(sha256=frozenset({sha256_of(project / "model.pkl")}))
    with trusting(other_model), pytest.raises(RiskcheckError, match=r"refusing to load a \.pkl model"):
        api.score(path)
    assert not (project / "pwned").exists()


# ---------------------------------------------------------------- the web form


@pytest.fixture
def served(project: Path) -> Iterator[Any]:
    from starlette.testclient import TestClient

    from riskcheck.web import create_app

    with TestClient(create_app(project), base_url="http://127.0.0.1") as client:
        yield client


@pytest.mark.parametrize("asks_in_the_file", [True, False])
def test_the_web_form_never_runs_a_pickle_whatever_the_policy(
    served: Any, project: Path, asks_in_the_file: bool
) -> None:
    assessment(project, "hostile.pkl", trust_line=asks_in_the_file)
    # the project trusts this very file: the command line would load it, the web form must not
    trust_in_pyproject(project, sha256_of(project / "hostile.pkl"))
    for page in ("/", "/a/a.yaml", "/signoff/a.yaml", "/new", "/"):
        response = served.get(page)
        assert response.status_code in (200, 400, 404, 409, 422), (page, response.status_code)
        assert not (project / "pwned").exists(), page
