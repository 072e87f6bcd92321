"""The rules validate() checks: a family's own keys (its options dataclass), keys that only some settings read,
and data the family cannot train on; and older configs whose family keys were flat."""

import dataclasses

import pytest

from gankit.config import Config, apply_overrides, dump_config, from_dict, load_config, to_dict, valid_keys
from gankit.config_rules import ONLY_WITH, flatten
from gankit.errors import GankitError
from gankit.objectives import OBJECTIVES


def test_a_family_section_is_its_options_with_their_defaults_and_round_trips():
    cfg = apply_overrides(Config(), ["objective=cyclegan", "data.name=sandal2sneaker", "cyclegan.pool_size=7"])
    assert cfg.options.pool_size == 7 and cfg.options.cycle_weight == 10.0
    tree = to_dict(cfg)
    assert tree["cyclegan"] == {"cycle_weight": 10.0, "identity_weight": 0.5, "adv_weight": 1.0, "pool_size": 7}
    again = from_dict(tree)
    assert to_dict(again) == tree and "pool_size" not in tree["train"]
    assert "gan:" not in dump_config(apply_overrides(Config(), []))  # a family without options has no section


def test_every_familys_keys_are_valid_keys_with_rules_of_their_own():
    keys = set(valid_keys())
    for objective, family in OBJECTIVES.items():
        for f in dataclasses.fields(family.options) if family.options else ():
            assert f"{objective}.{f.name}" in keys


@pytest.mark.parametrize("overrides, message", [
    (["objective=conditional", "conditional.cond=film"], "'conditional.cond' is 'film'; allowed: concat, projection, acgan"),
    (["objective=conditional", "conditional.class_weight=-1"], "'conditional.class_weight' is -1.0; it must be >= 0"),
    (["objective=conditional", "conditional.class_weight=nan"], "'conditional.class_weight' is nan; it must be a finite"),
    (["objective=conditional", "conditional.clas_weight=1"], "did you mean 'conditional.class_weight'"),
    (["objective=conditional", "conditional.class_weight=heavy"], "'conditional.class_weight' must be a number"),
    (["pix2pix.l1_weight=1"], "'pix2pix.l1_weight' only applies with objective=pix2pix"),
])
def test_a_familys_own_keys_are_checked_by_its_declaration(overrides, message):
    with pytest.raises(GankitError, match=message):
        apply_overrides(Config(), overrides)


def test_changing_the_objective_drops_the_old_familys_defaults_and_refuses_its_changes():
    cfg = load_config("pix2pix_edges2fashion", ["objective=gan", "data.name=digits", "model.name=dcgan",
                                                "model.g_dropout=0", "model.d_layers=3"])
    assert cfg.options is None
    with pytest.raises(GankitError, match="'pix2pix.l1_weight' only applies with objective=pix2pix"):
        load_config("pix2pix_edges2fashion", ["pix2pix.l1_weight=5", "objective=gan"])


def test_flat_keys_of_older_configs_are_read_under_their_new_names(capsys):
    cfg = from_dict({"objective": "cyclegan", "data": {"name": "sandal2sneaker"}, "train": {"pool_size": 9},
                     "loss": {"cycle_weight": 10.0, "class_weight": 1.0, "l1_weight": 100.0},
                     "model": {"cond": "concat"}})
    assert (cfg.options.pool_size, cfg.options.cycle_weight) == (9, 10.0)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["gankit: config key 'train.pool_size' is now 'cyclegan.pool_size'; it was read as that."]
    from_dict({"objective": "cyclegan", "train": {"pool_size": 9}}, note_renames=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(GankitError, match=r"'loss.l1_weight' \(now pix2pix.l1_weight\) only applies with "
                                          "objective=pix2pix"):
        from_dict({"objective": "cyclegan", "loss": {"l1_weight": 5}})


def test_only_with_rules_name_builders_and_data_kinds_never_families():
    assert {setting for setting, _, _ in ONLY_WITH.values()} <= {"model.generator", "model.discriminator",
                                                                "loss.name", "data.kind", "data.name",
                                                                "train.augment", "loss.penalty"}
    with pytest.raises(GankitError, match="'model.g_blocks' only applies with the resnet, stargan or srresnet generator"):
        apply_overrides(Config(), ["model.g_blocks=2"])
    # A shorthand model name stands for its builders: pix2pix's U-Net takes g_dropout.
    apply_overrides(Config(), ["objective=pix2pix", "data.name=edges2fashion", "model.name=pix2pix",
                               "model.g_dropout=0.5"])


@pytest.mark.parametrize("objective, data, ok", [
    ("gan", "ring8", True), ("gan", "attributes", True), ("gan", "sandal2sneaker", False),
    ("conditional", "fashion_mnist", True), ("conditional", "attributes", False),
    ("pix2pix", "edges2fashion", True), ("pix2pix", "sandal2sneaker", False),
    ("cyclegan", "unpaired_folder", True), ("cyclegan", "footwear", False),
    ("stargan", "attributes", True), ("stargan", "edges2fashion", False),
])
def test_each_family_trains_on_the_data_kinds_it_declares(objective, data, ok):
    overrides = [f"objective={objective}", f"data.name={data}"]
    if ok:
        assert apply_overrides(Config(), overrides).objective == objective
    else:
        with pytest.raises(GankitError, match=f"objective={objective} trains on .*, and data.name={data} gives"):
            apply_overrides(Config(), overrides)


def test_flatten_joins_nested_keys():
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}
