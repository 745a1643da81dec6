"""The pytest plugin and riskcheck.testing, run in a real pytest session with pytester."""

from __future__ import annotations

import shutil

import pytest

from tests.ci.conftest import DATA

#: Other plugins of this environment only slow the inner sessions down.
QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:anyio", "-p", "no:cacheprovider")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A separate pytest process: riskcheck's modules are imported once, as in real use."""
    return pytester.runpytest_subprocess(*QUIET, *args)


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    for item in DATA.iterdir():
        shutil.copy(item, pytester.path / item.name)
    return pytester


def test_assessments_become_one_item_per_check(suite: pytest.Pytester) -> None:
    result = run(suite, "--riskcheck", "--collect-only", "-q", "low.yaml")
    assert result.ret == 0
    assert result.outlines[:7] == [
        "low.yaml::tier",
        "low.yaml::completeness",
        "low.yaml::rule:prohibited-practice",
        "low.yaml::rule:automated-at-scale",
        "low.yaml::rule:large-scale",
        "low.yaml::signoff:product",
        "low.yaml::signoff:legal",
    ]


def test_without_the_option_nothing_is_collected(suite: pytest.Pytester) -> None:
    result = run(suite, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_failing_check_reads_like_a_failing_test(suite: pytest.Pytester) -> None:
    result = run(suite, "--riskcheck", "-rfs")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=16, failed=1, skipped=6)
    result.stdout.fnmatch_lines(
        [
            "*_ riskcheck Fair system: fairness threshold demographic_parity_ratio _*",
            f"{suite.path}/fair.yaml:18: Fair system: fairness threshold demographic_parity_ratio failed",
            "  demographic_parity_ratio is 0.5000, below the minimum 0.8000; "
            "selection_rate: lowest female 0.3000, highest male 0.6000",
            "    fairness.demographic_parity_ratio = 0.5",
            "    limit = min 0.8",
            "    groups = female, male",
            "    mitigation: Investigate the gap between the groups named, mitigate it (re-weighting, "
            "threshold adjustment, better data) and re-measure before launch.",
            "SKIPPED [1] fair.yaml:1: sign-off for role 'product' is missing; not required by the policy "
            "(require-signoff)",
        ]
    )


def test_policy_options_and_pyproject(suite: pytest.Pytester) -> None:
    result = run(suite, "--riskcheck", "--riskcheck-fail-on", "high", "scaled.yaml")
    result.assert_outcomes(passed=4, failed=1, skipped=2)
    suite.makepyprojecttoml('[tool.riskcheck]\nrequire-signoff = true\nmax-severity = "medium"\n')
    result = run(suite, "--riskcheck", "scaled.yaml")
    result.assert_outcomes(passed=4, failed=3)


def test_an_invalid_assessment_is_a_collection_error_with_its_position(suite: pytest.Pytester) -> None:
    (suite.path / "low.yaml").write_text((suite.path / "low.yaml").read_text().replace("people: 500", "people: -1"))
    result = run(suite, "--riskcheck", "low.yaml")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["riskcheck: */low.yaml:9:11: answers.people: expected a number >= 0, got -1"])


def test_a_fairness_crash_is_an_error_never_a_pass(suite: pytest.Pytester) -> None:
    suite.makeconftest(
        """
import riskcheck.fairness.api

def crash(*args, **kwargs):
    raise RuntimeError("simulated failure inside the fairness engine")

riskcheck.fairness.api.evaluate_fairness = crash
"""
    )
    result = run(suite, "--riskcheck", "fair.yaml")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*RuntimeError: simulated failure inside the fairness engine*"])
    assert "passed" not in result.stdout.lines[-1]


def test_assert_fairness_passes_silently_and_fails_with_a_table(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
from riskcheck.testing import assert_fairness

SEX = ["female"] * 40 + ["male"] * 40
Y = [i % 2 for i in range(40)] * 2
FAIR = [1 if i < 20 else 0 for i in range(40)] * 2
SKEWED = [1 if i < 12 else 0 for i in range(40)] + [1 if i < 24 else 0 for i in range(40)]

def test_fair():
    assert_fairness(Y, FAIR, sensitive_features=SEX, demographic_parity_ratio_min=0.8)

def test_skewed():
    assert_fairness(
        Y, SKEWED, sensitive_features={"sex": SEX},
        demographic_parity_ratio_min=0.8, equalized_odds_difference_max=0.5,
    )
"""
    )
    result = run(pytester, "-q")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       riskcheck.testing.FairnessAssertionError: fairness thresholds not met:",
            "E         - demographic_parity_ratio is 0.5000, below the minimum 0.8000; "
            "selection_rate: lowest female 0.3000, highest male 0.6000",
            "E       ",
            "E         group      count  selection_rate  true_positive_rate  false_positive_rate  accuracy",
            "E         female        40          0.3000              0.3000               0.3000    0.5000",
            "E         male          40          0.6000              0.6000               0.6000    0.5000",
            "E         (overall)     80          0.4500              0.4500               0.4500    0.5000",
        ]
    )
    assert "test_fair " not in result.stdout.str()
