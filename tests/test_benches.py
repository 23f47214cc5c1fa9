"""The benchmarks wrap the pipeline's functions by name: a module split must not leave them timing nothing."""
from __future__ import annotations

import pytest

from bench import latency


@pytest.mark.parametrize("module, name", latency.ANSWER_SELECTION)
def test_the_latency_bench_wraps_functions_the_pipeline_calls(module, name):
    assert callable(getattr(module, name, None)), f"{module.__name__}.{name} is gone: update bench/latency.py"
