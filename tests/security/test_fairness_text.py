"""Group labels and column names come from the data file: they cannot start CI workflow commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskcheck.cli.main import main


def test_a_hostile_group_label_cannot_start_a_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.csv"
    data.write_text('y,p,g\n1,1,"a\n::error::pwned"\n0,1,"a\n::error::pwned"\n1,0,b\n0,0,b\n', encoding="utf-8")
    args = ["fairness", "--data", str(data), "--target", "y", "--prediction", "p", "--sensitive", "g"]
    assert main([*args, "--min-group-size", "1", "--min-class-size", "1"]) == 0
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::")]
    assert any(line.startswith("a ::error::pwned ") for line in lines)  # the label, kept readable on one line
