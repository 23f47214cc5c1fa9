"""The calibration's logistic fit (training/calibrate_reader.py): no feature may count against the answer."""
from __future__ import annotations

import numpy as np

from training.calibrate_reader import logistic_regression


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(2000) < 0.3).astype(float)
    helps = y * 2.0 + rng.normal(size=len(y))
    hurts = -y * 1.0 + rng.normal(size=len(y))  # near-misses: closer in words when there is no answer
    noise = rng.normal(size=len(y))
    return np.column_stack([helps, hurts, noise]), y


def test_a_feature_that_helps_keeps_a_positive_weight():
    x, y = _data()
    weights = logistic_regression(x, y)
    assert weights[0] > 1.0


def test_a_feature_the_data_weigh_against_the_answer_is_left_out():
    x, y = _data()
    weights = logistic_regression(x, y)
    assert weights[1] == 0.0
    assert (weights[:-1] >= 0).all()


def test_without_a_negative_feature_the_fit_is_the_plain_one():
    x, y = _data()
    weights = logistic_regression(x[:, [0]], y)
    assert weights.shape == (2,)
    # the bias is the last weight and may be negative: a question without features has little evidence
    assert weights[0] > 1.0 and weights[1] < 0


def test_when_no_feature_helps_only_the_bias_remains():
    x, y = _data()
    weights = logistic_regression(-x[:, [0]], y)
    assert weights[0] == 0.0
    assert abs(1 / (1 + np.exp(-weights[1])) - y.mean()) < 0.01
