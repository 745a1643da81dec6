"""The ``fairness:`` block of an assessment, and the metric names rules may use.

This module imports only pydantic and the standard library: ``riskcheck validate``
loads it to check an assessment without paying for pandas or scikit-learn.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

#: A label value as YAML can write it.
Scalar = bool | int | float | str

#: Per-group metrics of a classifier, under fairlearn's and scikit-learn's names, in table order.
CLASSIFICATION_METRICS: tuple[str, ...] = (
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "precision",
    "accuracy",
    "balanced_accuracy",
)
#: Per-group metrics of a regressor.
REGRESSION_METRICS: tuple[str, ...] = (
    "count",
    "mean_prediction",
    "mean_absolute_error",
)

#: Disparities of a classifier; each has a bootstrap interval.
CLASSIFICATION_DISPARITIES: tuple[str, ...] = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "disparate_impact_ratio",
)
#: Disparities of a regressor (no interval: the bootstrap works on confusion counts).
REGRESSION_DISPARITIES: tuple[str, ...] = (
    "mean_prediction_difference",
    "mean_prediction_ratio",
    "mean_absolute_error_difference",
    "mean_absolute_error_ratio",
)
DISPARITY_NAMES: tuple[str, ...] = CLASSIFICATION_DISPARITIES + REGRESSION_DISPARITIES

#: ``overall_<metric>`` for every rate, over the whole dataset.
OVERALL_NAMES: tuple[str, ...] = tuple(
    f"overall_{name}" for name in CLASSIFICATION_METRICS[1:] + REGRESSION_METRICS[1:]
)
#: ``<disparity>_ci_low`` and ``<disparity>_ci_high`` for the disparities with intervals.
INTERVAL_NAMES: tuple[str, ...] = tuple(
    f"{name}_{bound}" for name in CLASSIFICATION_DISPARITIES for bound in ("ci_low", "ci_high")
)
#: Counts: rows used, groups found, groups without enough evidence, thresholds breached.
COUNT_NAMES: tuple[str, ...] = (
    "rows",
    "group_count",
    "insufficient_evidence_count",
    "thresholds_breached",
)

#: Every name a rule may use as ``fairness.<name>``. A value is a float, or None when
#: it cannot be computed (an undefined rate, too few groups with enough evidence).
METRIC_NAMES: frozenset[str] = frozenset(DISPARITY_NAMES + INTERVAL_NAMES + OVERALL_NAMES + COUNT_NAMES)

#: Names a threshold may bound (intervals are reached with ``on:``; the breach count
#: would be circular).
THRESHOLD_NAMES: frozenset[str] = frozenset(DISPARITY_NAMES + OVERALL_NAMES + COUNT_NAMES[:3])

#: Default smallest group (rows) whose metrics are used in a disparity. Thirty rows is
#: the usual floor below which a rate's sampling error swamps any real gap.
DEFAULT_MIN_GROUP_SIZE = 30
#: Default fewest positives (for TPR, FNR), negatives (for FPR, TNR) or predicted
#: positives (for precision) behind a rate that enters a disparity.
DEFAULT_MIN_CLASS_SIZE = 10


class Threshold(BaseModel):
    """A bound on one metric: ``{min: 0.8}``, ``{max: 0.1, on: ci_high}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = None
    max: float | None = None
    on: Literal["value", "ci_low", "ci_high"] = Field(
        default="value",
        description="Compare the point estimate, or the lower or upper bound of its interval.",
    )

    @model_validator(mode="before")
    @classmethod
    def _yaml_11_on(cls, data: Any) -> Any:
        # YAML 1.1 loaders (PyYAML's safe_load) read the key `on:` as True.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if key is True else key): value for key, value in data.items()}
        return data

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("a threshold needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class BootstrapSpec(BaseModel):
    """The seeded bootstrap behind the intervals; ``replicates: 0`` turns it off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    replicates: int = Field(default=1000, ge=0, le=100_000)
    seed: int = Field(default=20240101, ge=0)
    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)


#: Options of the fairness block that a dump leaves out when they are not set.
_LATER_OPTIONS = ("table", "sensitive_data", "join_on", "suppress_below")

#: A table name: one to three identifiers (catalog.schema.table), each plain or in backquotes.
_IDENTIFIER = r"(?:[A-Za-z_][A-Za-z0-9_]*|`(?:[^`]|``)+`)"
TABLE_NAME = re.compile(rf"^{_IDENTIFIER}(?:\.{_IDENTIFIER}){{0,2}}$")
#: Suffixes that make a name a data file rather than a table.
_FILE_SUFFIXES = (".csv", ".parquet", ".pq")


def names_a_table(value: str) -> bool:
    """Whether ``value`` (of ``sensitive_data``, ``--sensitive-data``) can name a table, not files.

    A table name is one to three identifiers (``restricted.people``); a value with a
    slash, a glob character or a data file's suffix (``people.csv``) is a path. A bare
    name that is also a file or folder beside the assessment is read as that path.
    """
    if any(character in value for character in "/\\*?[") or value.lower().endswith(_FILE_SUFFIXES):
        return False
    return bool(TABLE_NAME.match(value))


class FairnessSpec(BaseModel):
    """What to measure: data, target, prediction source, sensitive columns, thresholds.

    Paths are relative to the assessment file. Give exactly one prediction source:
    ``prediction`` (a column), ``score`` with ``threshold``, or ``model`` (a skops file;
    pickle or joblib only when whoever runs riskcheck trusts it: see
    :mod:`riskcheck.fairness.trust`). Or give ``result``, a fairness result
    saved with ``riskcheck fairness -o``, to read instead of recomputing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str | None = Field(
        default=None,
        description="CSV or Parquet file, a glob, or a folder of Parquet files, relative to the assessment.",
    )
    table: str | None = Field(
        default=None,
        description=(
            "A table Spark reads instead of files (catalog.schema.table); needs engine: spark. "
            "Give data or table, not both."
        ),
    )
    target: str | None = Field(default=None, description="Column with the true outcome.")
    positive_label: Scalar | None = Field(
        default=None, description="The favourable outcome, when the target is not 0/1."
    )
    prediction: str | None = Field(default=None, description="Column with the predicted outcome.")
    score: str | None = Field(default=None, description="Column with a score; see threshold.")
    threshold: float | None = Field(
        default=None,
        description="Predict positive when score (or the model's probability) >= threshold.",
    )
    model: str | None = Field(default=None, description="Model file (.skops; .pkl/.joblib if trusted).")
    features: list[str] | None = Field(
        default=None,
        description="Columns the model predicts on (default: what the model was fit on).",
    )
    trust_model: bool = Field(
        default=False,
        description=(
            "Never true: a file cannot trust its own model. Pass --trust-model or list the model's "
            "sha256 under [tool.riskcheck] trusted-models in pyproject.toml."
        ),
    )
    sensitive: list[str] = Field(
        default_factory=list,
        description="Sensitive columns; several give intersectional groups.",
    )
    sample_weight: str | None = Field(default=None, description="Column of non-negative row weights.")
    where: dict[str, Scalar] | None = Field(
        default=None,
        description="Keep only rows whose columns equal these values (e.g. split: test).",
    )
    task: Literal["classification", "regression"] = "classification"
    min_group_size: int = Field(default=DEFAULT_MIN_GROUP_SIZE, ge=1)
    min_class_size: int = Field(default=DEFAULT_MIN_CLASS_SIZE, ge=1)
    compare: Literal["between_groups", "overall", "reference"] = "between_groups"
    reference_group: str | None = None
    engine: Literal["duckdb", "count", "fairlearn", "spark"] = Field(
        default="duckdb",
        description=(
            "duckdb: one GROUP BY over the files, at any size; count: the same metrics from data read "
            "into memory; fairlearn: fairlearn's MetricFrame, the slow reference; spark: the GROUP BY "
            "as a Spark job, local or through Spark Connect."
        ),
    )
    sensitive_data: str | None = Field(
        default=None,
        description=(
            "A separate file (or glob, or folder) holding the sensitive columns, or with engine: spark "
            "a table name (catalog.schema.table); use with join_on."
        ),
    )
    join_on: str | None = Field(
        default=None, description="The key column, in data and sensitive_data, that joins the two."
    )
    suppress_below: int | None = Field(
        default=None,
        ge=2,
        description=(
            "Privacy: leave out of every output the groups with fewer rows than this "
            "(separate from min_group_size, which is about evidence)."
        ),
    )
    bootstrap: BootstrapSpec = Field(default_factory=BootstrapSpec)
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    result: str | None = Field(default=None, description="Saved fairness result JSON to read instead.")

    @field_validator("thresholds")
    @classmethod
    def _known_thresholds(cls, value: dict[str, Threshold]) -> dict[str, Threshold]:
        for name, threshold in value.items():
            if name in INTERVAL_NAMES:
                base, _, bound = name.rpartition("_ci_")
                raise ValueError(f"{name}: bound the interval with '{base}: {{..., on: ci_{bound}}}'")
            if name not in THRESHOLD_NAMES:
                raise ValueError(f"{name}: unknown metric; expected one of {', '.join(sorted(THRESHOLD_NAMES))}")
            if threshold.on != "value" and name not in CLASSIFICATION_DISPARITIES:
                raise ValueError(
                    f"{name}: on: {threshold.on} needs an interval, and only these have one: "
                    f"{', '.join(CLASSIFICATION_DISPARITIES)}"
                )
        return value

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if info.data.get("data") is not None:
            raise ValueError("give data (files) or table (a Spark table), not both")
        if not TABLE_NAME.match(value):
            raise ValueError(
                f"{value!r} is not a table name; expected catalog.schema.table "
                "(one to three identifiers, each plain or in backquotes)"
            )
        return value

    @field_validator("trust_model")
    @classmethod
    def _no_trust_from_the_file(cls, value: bool) -> bool:
        # Trust to run a model's code belongs to whoever runs riskcheck (riskcheck.fairness.trust).
        if value:
            from riskcheck.fairness.trust import HOW_TO_TRUST

            raise ValueError(
                "a file cannot trust its own model: trust is given by whoever runs riskcheck; "
                f"to trust this model, {HOW_TO_TRUST}"
            )
        return value

    @field_validator("sensitive")
    @classmethod
    def _distinct_sensitive(cls, value: list[str]) -> list[str]:
        seen = set()
        for column in value:
            if column in seen:
                raise ValueError(f"column {column!r} is listed twice")
            seen.add(column)
        return value

    @model_serializer(mode="wrap")
    def _without_unused_options(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Options added after the first release appear only when given, so the dump (and the
        # evidence hash a sign-off binds) of a block that does not use them is unchanged.
        data: dict[str, Any] = handler(self)
        for name in _LATER_OPTIONS:
            if data.get(name) is None:
                data.pop(name, None)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> FairnessSpec:
        if self.result is not None:
            self._check_saved_result()
        else:
            self._check_computation()
        if self.compare == "reference" and self.reference_group is None:
            raise ValueError("compare: reference needs reference_group")
        if self.reference_group is not None and self.compare != "reference":
            raise ValueError("reference_group is only used with compare: reference")
        wrong_task = REGRESSION_DISPARITIES if self.task == "classification" else (CLASSIFICATION_DISPARITIES)
        for name in self.thresholds:
            if name in wrong_task:
                raise ValueError(f"thresholds: {name} does not apply to task: {self.task}")
        return self

    def _check_saved_result(self) -> None:
        computing = [
            name
            for name in (
                "target",
                "prediction",
                "score",
                "threshold",
                "model",
                "sample_weight",
            )
            if getattr(self, name) is not None
        ] + (["sensitive"] if self.sensitive else [])
        if self.table is not None:
            raise ValueError(
                "result: reads a saved result, so table cannot be given too (a table is checked only by "
                "computing on it; the saved result records the table's identity)"
            )
        if computing:
            raise ValueError(
                f"result: reads a saved result, so {', '.join(computing)} cannot be given too; "
                "keep data: to check that the result was computed from that file"
            )

    def _check_computation(self) -> None:
        missing = [name for name in ("target",) if getattr(self, name) is None]
        if self.data is None and self.table is None:
            missing.insert(0, "data (or table)")
        if not self.sensitive:
            missing.append("sensitive")
        if missing:
            raise ValueError(f"missing {', '.join(missing)} (or give result: a saved result)")
        if self.table is not None and self.engine != "spark":
            raise ValueError(
                f"table: {self.table} is read by Spark; give engine: spark (the {self.engine} engine reads "
                "files: give data: instead)"
            )

        sources = [name for name in ("prediction", "score", "model") if getattr(self, name) is not None]
        if len(sources) != 1:
            found = f"got {' and '.join(sources)}" if sources else "got none"
            raise ValueError(
                f"give exactly one of prediction (a column), score with threshold, or model (a file); {found}"
            )
        if self.score is not None and self.threshold is None:
            raise ValueError("score needs threshold: predict positive when score >= threshold")
        if self.threshold is not None and self.prediction is not None:
            raise ValueError("threshold applies to score or model, not to prediction")
        if self.features is not None and self.model is None:
            raise ValueError("features applies only with model")
        if (self.sensitive_data is None) != (self.join_on is None):
            raise ValueError("sensitive_data and join_on go together: the file of sensitive columns and its key")
        if self.sensitive_data is not None:
            if self.engine not in ("duckdb", "spark"):
                raise ValueError("sensitive_data needs engine: duckdb or spark")
            if self.join_on in self.sensitive:
                raise ValueError(f"the join key {self.join_on!r} cannot also be a sensitive column")
        if self.suppress_below is not None and self.engine == "fairlearn":
            raise ValueError("suppress_below works with engine: duckdb or count, not fairlearn")
        if self.task == "regression":
            for name in ("positive_label", "score", "threshold"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} applies only to task: classification")
        if self.target in self.sensitive:
            raise ValueError(f"the target {self.target!r} cannot also be a sensitive column")
