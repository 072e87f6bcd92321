"""What a family declares: Parts by name (EMA copies where kept) and options with their rules."""

import dataclasses

from torch import nn

from gankit.config import Config
from gankit.objectives import OBJECTIVES
from gankit.objectives.parts import OptimizerSpec, Parts, option, option_fields


def parts(with_ema: bool) -> Parts:
    nets = {"G": nn.Linear(1, 1), "D": nn.Linear(1, 1)}
    if with_ema:
        nets["G_ema"] = nn.Linear(1, 1)
    return Parts(cfg=None, nets=nets, optimizers={"G": OptimizerSpec(None, ("G",))}, emas={"G_ema": "G"})


def test_a_net_by_name_is_its_ema_copy_when_the_run_keeps_one():
    kept, plain = parts(True), parts(False)
    assert kept.net("G") is kept.nets["G_ema"] and kept.sampling_net() is kept.nets["G_ema"]
    assert plain.net("G") is plain.nets["G"] and plain.net("D") is plain.nets["D"]


def test_an_option_carries_its_rules_and_its_old_name():
    @dataclasses.dataclass
    class Options:
        weight: float = option(2.0, "a weight", low=0, renamed_from="loss.weight")
        mode: str = option("a", "a mode", choices=("a", "b"))
        sizes: list = option([1, 2], "sizes")

    fields = {f.name: f for f in option_fields(Options)}
    assert fields["weight"].metadata["bounds"] == (0, None, True)
    assert fields["weight"].metadata["renamed_from"] == "loss.weight"
    assert fields["mode"].metadata["choices"] == ("a", "b")
    one, two = Options(), Options()
    one.sizes.append(3)
    assert two.sizes == [1, 2]  # a list default is not shared
    assert option_fields(None) == ()


def test_every_family_declares_the_whole_contract():
    for name, family in OBJECTIVES.items():
        assert family.writers and all(s.startswith(".") for s in family.writers), name
        kinds, what = family.data
        assert kinds and what, name
        assert callable(family.draw) and callable(family.evaluation.prepare), name
        # the image families' and MLE's steps are the same every iteration (lazy R1 aside); the text GANs' phases are not
        assert (family.graphable(Config()) is None) == (name not in ("seqgan", "gumbel")), name
        for f in option_fields(family.options):
            assert f.metadata["doc"], (name, f.name)
