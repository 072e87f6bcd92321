"""`gankit reproduce seqgan` on a tiny budget: every model scored at every temperature, results.json as the
issue names it, the table beside the paper's and the quality-diversity picture."""

import json
import math

from gankit.reproduce import reproduce
from gankit.objectives.text import masked_nll
from gankit.reproduce.seqgan import MODELS
from tests.reproduce.tables import assert_tables_render


def test_seqgan_tiny_writes_table_1_and_the_curves(tmp_path):
    report = reproduce("seqgan", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "quality_diversity.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for model in MODELS:
        for key in ("nll_oracle", "nll_test"):
            assert math.isfinite(results[f"{key}.{model}"]), (key, model)
        curve = results["curves"][model]["0"]
        assert [p["temperature"] for p in curve] == [0.7, 1.0, 1.5]
    # a colder sample is likelier under the oracle's eyes and its own: NLL-oracle falls as T falls, for MLE
    mle = results["curves"]["mle"]["0"]
    assert mle[0]["nll_oracle"] < mle[-1]["nll_oracle"]
    assert 4 < results["oracle_entropy"] < 8
    assert results["nll_oracle.random"] > results["oracle_entropy"]
    assert assert_tables_render((out / "report.md").read_text()) >= 1


def test_nll_at_temperature_one_is_the_models_own_nll():
    nll_at = lambda G, x, temperature: masked_nll(G, x, None, temperature=temperature)
    import torch
    from gankit.models.lstm import LSTMGenerator

    torch.manual_seed(0)
    G = LSTMGenerator(9, 5, 4, 6)
    x = torch.randint(9, (7, 5))
    assert math.isclose(nll_at(G, x, 1.0), -G.log_prob(x).mean().item(), rel_tol=1e-6)
    assert nll_at(G, x, 3.0) != nll_at(G, x, 1.0)
