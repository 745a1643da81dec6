"""Train the example models shipped in examples/ and write their outputs.

Run from the repository root:

    python scripts/train_example_model.py

It writes, deterministically (fixed seeds, single-threaded solvers):

- examples/models/adult_income.skops: a scikit-learn pipeline (one-hot encoding and
  scaling, then logistic regression) trained on the Adult rows with split == train.
  It predicts the labels '<=50K' and '>50K' from the feature columns.
- examples/models/german_credit.skops: the same kind of pipeline trained on all of
  German Credit, predicting risk (1 = good credit).
- examples/data/german_credit_scored.csv: German Credit with an age_group column
  ('under 25' or '25 and over') and out-of-fold scores from 5-fold cross-validation
  (score = the probability of good credit from a model that did not see the row),
  so the fairness figures are not flattered by training on the rows they measure.

The data files are described in examples/data/README.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import skops.io as sio  # type: ignore[import-untyped]
from sklearn.compose import ColumnTransformer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "data"
MODELS = ROOT / "examples" / "models"
SEED = 0

ADULT_NUMERIC = [
    "age",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
]
ADULT_CATEGORICAL = [
    "workclass",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
]
GERMAN_NUMERIC = ["job", "credit_amount", "duration", "age"]
GERMAN_CATEGORICAL = [
    "sex",
    "housing",
    "saving_accounts",
    "checking_account",
    "purpose",
]


def pipeline(numeric: list[str], categorical: list[str]) -> Pipeline:
    """One-hot categories, scale numbers, then an L2-regularised logistic regression."""
    encode = ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
            ("numbers", StandardScaler(), numeric),
        ],
        remainder="drop",
    )
    return Pipeline([("encode", encode), ("classify", LogisticRegression(max_iter=2000))])


def train_adult() -> None:
    adult = pd.read_csv(DATA / "adult.csv")
    train = adult[adult["split"] == "train"]
    model = pipeline(ADULT_NUMERIC, ADULT_CATEGORICAL)
    model.fit(train[ADULT_NUMERIC + ADULT_CATEGORICAL], train["income"])
    sio.dump(model, MODELS / "adult_income.skops")
    test = adult[adult["split"] == "test"]
    accuracy = (model.predict(test[ADULT_NUMERIC + ADULT_CATEGORICAL]) == test["income"]).mean()
    print(f"adult_income.skops: test accuracy {accuracy:.4f}")


def german_age_group(age: pd.Series) -> pd.Series:
    return pd.Series(np.where(age < 25, "under 25", "25 and over"), index=age.index)


def train_german() -> None:
    german = pd.read_csv(DATA / "german_credit.csv")
    features = german[GERMAN_NUMERIC + GERMAN_CATEGORICAL]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    probabilities = cross_val_predict(
        pipeline(GERMAN_NUMERIC, GERMAN_CATEGORICAL),
        features,
        german["risk"],
        cv=folds,
        method="predict_proba",
    )
    scored = german.copy()
    scored["age_group"] = german_age_group(german["age"])
    scored["score"] = np.round(probabilities[:, 1], 6)
    scored.to_csv(DATA / "german_credit_scored.csv", index=False)
    model = pipeline(GERMAN_NUMERIC, GERMAN_CATEGORICAL).fit(features, german["risk"])
    sio.dump(model, MODELS / "german_credit.skops")
    accuracy = ((scored["score"] >= 0.5).astype(int) == german["risk"]).mean()
    print(f"german_credit_scored.csv: out-of-fold accuracy {accuracy:.4f}")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    MODELS.mkdir(parents=True, exist_ok=True)
    train_adult()
    train_german()


if __name__ == "__main__":
    main()
