"""A reproduction run twice with the same seeds gives the same numbers (on one machine, with the same threads)."""

import json

import pytest

from gankit.reproduce import reproduce

# What legitimately differs between two runs: how long they took.
TIMING = ("seconds", "wall", "time", "per_step")


def numbers(results):
    """The results without their timings, at any depth."""
    if isinstance(results, dict):
        return {k: numbers(v) for k, v in results.items() if not any(word in k for word in TIMING)}
    return results


@pytest.mark.parametrize("name", ["mode-collapse", "pix2pix"])
def test_a_tiny_reproduction_twice_gives_the_same_results(tmp_path, name):
    runs = [reproduce(name, out=tmp_path / str(i), scale="tiny") for i in range(2)]
    first, second = (json.loads((r.out_dir / "results.json").read_text()) for r in runs)
    assert first["environment"] == second["environment"] and first["environment"]["threads"] >= 1
    assert numbers(first["results"]) == numbers(second["results"])
    assert first["summary"] == second["summary"]
