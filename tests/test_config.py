import pytest

from gankit.config import (Config, apply_overrides, dump_config, from_dict, list_recipes, load_config,
                           parse_override, resolve_recipe, valid_keys)
from gankit.errors import GankitError


def test_defaults_validate_and_round_trip():
    cfg = apply_overrides(Config(), [])
    import yaml
    assert from_dict(yaml.safe_load(dump_config(cfg))) == cfg


def test_overrides_parse_yaml_values():
    cfg = apply_overrides(Config(), ["train.steps=12", "g_optim.lr=1e-4", "model.spectral_norm=true",
                                     "model.g_hidden=[4, 5]", "data.path=/x/y", "data.limit=null"])
    assert cfg.train.steps == 12 and cfg.g_optim.lr == 1e-4 and cfg.model.spectral_norm is True
    assert cfg.model.g_hidden == [4, 5] and cfg.data.path == "/x/y" and cfg.data.limit is None


def test_int_widens_to_float():
    cfg = apply_overrides(Config(), ["g_optim.lr=1"])
    assert isinstance(cfg.g_optim.lr, float)


@pytest.mark.parametrize("override, words", [
    ("train.step=5", "did you mean 'train.steps'"),
    ("trian.steps=5", "did you mean 'train.steps'"),
    ("train.steps=five", "whole number"),
    ("train.steps=1.5", "whole number"),
    ("train.steps=0", "must be > 0"),
    ("train.ema=1.0", "< 1"),
    ("loss.name=wgan", "allowed: minimax, nonsaturating, wasserstein, hinge, lsgan"),
    ("model.spectral_norm=3", "true or false"),
    ("data.channels=2", "1 or 3"),
    ("g_optim.betas=[0.5]", "two numbers"),
    ("train", "key=value"),
    ("train=3", "is a section"),
])
def test_bad_overrides_say_what_is_allowed(override, words):
    with pytest.raises(GankitError, match=None) as info:
        apply_overrides(Config(), [override])
    assert words in str(info.value)


def test_parse_override_keeps_text():
    assert parse_override("data.path=my folder") == ("data.path", "my folder")


def test_every_recipe_loads_and_validates():
    recipes = list_recipes()
    assert {"gaussian1d_fig1", "mlp_mnist", "maxout_mnist", "dcgan_fashion", "wgan_fashion",
            "wgangp_fashion", "ring8_gan", "ring8_wgan", "ring8_wgangp"} <= set(recipes)
    for name, description in recipes.items():
        assert description, name
        load_config(name)


def test_recipe_settings_follow_the_papers():
    wgan = load_config("wgan_fashion")
    assert (wgan.loss.name, wgan.loss.penalty, wgan.loss.clip) == ("wasserstein", "clip", 0.01)
    assert (wgan.d_optim.name, wgan.d_optim.lr, wgan.train.n_critic) == ("rmsprop", 5e-5, 5)
    gp = load_config("wgangp_fashion")
    assert (gp.loss.penalty, gp.loss.gp_weight, gp.model.d_norm) == ("gp", 10.0, "layer")
    assert gp.d_optim.betas == [0.0, 0.9] and gp.train.n_critic == 5
    maxout = load_config("maxout_mnist")
    assert maxout.model.d_hidden == [240, 240] and maxout.model.maxout_pieces == 5
    assert maxout.model.g_hidden == [1200, 1200] and maxout.model.input_dropout == 0.2


def test_unknown_recipe_suggests_the_nearest():
    with pytest.raises(GankitError, match="did you mean 'dcgan_fashion'"):
        resolve_recipe("dcgan_fashon")


def test_yaml_file_errors(tmp_path):
    with pytest.raises(GankitError, match="does not exist"):
        load_config(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: {steps: [1,\n")
    with pytest.raises(GankitError, match="not valid YAML"):
        load_config(str(bad))
    typo = tmp_path / "typo.yaml"
    typo.write_text("model:\n  widht: 3\n")
    with pytest.raises(GankitError, match="did you mean 'model.width'"):
        load_config(str(typo))


def test_valid_keys_cover_the_documented_ones():
    keys = set(valid_keys())
    assert {"train.steps", "train.seed", "train.batch_size", "train.n_critic", "data.name", "data.path",
            "model.name", "loss.name"} <= keys


@pytest.mark.parametrize("overrides, words", [
    (["conditional.cond=acgan"], "'conditional.cond' only applies with objective=conditional"),
    (["model.cond=acgan"], r"'model.cond' \(now conditional.cond\) only applies with objective=conditional"),
    (["loss.class_weight=2"], r"'loss.class_weight' \(now conditional.class_weight or stargan.class_weight\) only "
                              "applies with objective=conditional, stargan"),
    (["loss.divergence=kl"], "'loss.divergence' only applies with loss.name=fgan"),
    (["model.g_dropout=0.5"], "'model.g_dropout' only applies with the cgan2014 or unet generator"),
])
def test_a_key_the_chosen_family_or_loss_never_reads_is_refused(overrides, words):
    with pytest.raises(GankitError, match=words):
        apply_overrides(Config(), overrides)
    apply_overrides(Config(), ["objective=conditional", "loss.name=fgan", "model.name=cgan2014"] + overrides)


def test_generator_batch_norm_is_for_the_mlp_generator_only():
    with pytest.raises(GankitError, match="'model.g_norm' only applies with the mlp generator"):
        apply_overrides(Config(), ["model.g_norm=batch"])  # the default model is dcgan
    with pytest.raises(GankitError, match="'model.g_norm' is 'layer'; allowed: none, batch"):
        apply_overrides(Config(), ["model.name=mlp", "model.g_norm=layer"])
    assert apply_overrides(Config(), ["model.name=maxout", "model.g_norm=batch"]).model.g_norm == "batch"


@pytest.mark.parametrize("overrides, words", [
    (["data.direction=BtoA"], "config key 'data.direction' only applies with paired data; remove it or set "
                              "data.name to one of edges2fashion, paired_folder."),
    (["data.jitter=true"], "config key 'data.jitter' only applies with paired or unpaired data; remove it or set "
                           "data.name to one of edges2fashion, paired_folder, sandal2sneaker, shirt2tshirt, "
                           "edges_unpaired, unpaired_folder."),
    (["data.attributes=[Male]"], "config key 'data.attributes' only applies with data.name=attributes; remove it "
                                 "or set data.name=attributes."),
    (["data.attributes_file=a.txt"], "config key 'data.attributes_file' only applies with data.name=attributes"),
    (["data.direction=sideways", "data.name=paired_folder"], "config key 'data.direction' is 'sideways'; allowed: "
                                                               "AtoB, BtoA."),
    (["data.name=edges2fashion"], "objective=gan trains on single images or toy samples (fashion_mnist, digits, "
                                  "cifar10, a folder of images, ring8, ...), and data.name=edges2fashion gives "
                                  "paired translation data (A and B images); choose data of that kind or another "
                                  "objective."),
    (["objective=conditional", "data.name=sandal2sneaker"], "objective=conditional trains on labelled images"),
    (["objective=conditional", "data.name=attributes"], "objective=conditional trains on labelled images or toy "
                                                        "samples"),
    (["objective=pix2pix", "data.name=fashion_mnist"], "objective=pix2pix trains on paired data"),
])
def test_translation_data_refusals(overrides, words):
    """A data key where the data never reads it, and translation or multi-label data an image family cannot use."""
    with pytest.raises(GankitError) as info:
        apply_overrides(Config(), overrides)
    assert str(info.value).startswith(words)


def test_translation_data_keys_where_they_apply():
    cfg = apply_overrides(Config(), ["objective=pix2pix", "data.name=edges2fashion", "data.direction=BtoA",
                                     "data.jitter=true"])
    assert cfg.data.direction == "BtoA" and cfg.data.jitter is True
    apply_overrides(Config(), ["objective=cyclegan", "data.name=unpaired_folder", "data.jitter=true"])
    cfg = apply_overrides(Config(), ["data.name=attributes", "data.attributes=[Male, Smiling]",
                                     "data.attributes_file=../list_attr_celeba.txt"])
    assert cfg.data.attributes == ["Male", "Smiling"]



@pytest.mark.parametrize("override, message", [
    ("train.ema=nan", "'train.ema' is nan; it must be a finite number"),
    ("model.dropout=nan", "'model.dropout' is nan; it must be a finite number"),
    ("g_optim.lr=inf", "'g_optim.lr' is inf; it must be a finite number"),
    ("d_optim.betas=[0.5, nan]", "'d_optim.betas' is \\[0.5, nan\\]; it must be a finite number"),
    ("g_optim.betas=[1.5, 0.9]", "'g_optim.betas' is \\[1.5, 0.9\\]; each value must be >= 0 and < 1"),
    ("d_optim.momentum=-0.5", "'d_optim.momentum' is -0.5; it must be >= 0 and < 1"),
    ("model.g_hidden=[64, -3]", "'model.g_hidden' is \\[64, -3\\]; each value must be > 0"),
    ("loss.gp_weight=-1", "'loss.gp_weight' is -1.0; it must be >= 0"),
    ("loss.r1_gamma=-1", "'loss.r1_gamma' is -1.0; it must be >= 0"),
    ("train.seed=99999999999999999999999", "'train.seed' is 99999999999999999999999; it must be >= 0 and < "),
])
def test_non_finite_and_impossible_numbers_are_one_sentence(override, message):
    with pytest.raises(GankitError, match=message):
        load_config("dcgan_digits", [override])


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00bad: [\n", "is not UTF-8 text \\(byte 0xff at position 0\\); save it as UTF-8"),
    (b"x: !!python/object/apply:os.system [ls]\n", "uses the tag !!python/object/apply:os.system at line 1; "
                                                    "gankit reads plain YAML only"),
    (b"data: {name: digits}\ndata: {name: ring8}\n", "'data' is written twice at line 2 of .*; keep one"),
    (b"train:\n  steps: 3\n  steps: 4\n", "'steps' is written twice at line 3"),
    (b"", "holds no settings"),
    (b"# only a comment\n", "holds no settings"),
])
def test_yaml_files_that_cannot_be_a_config_are_one_sentence(tmp_path, content, message):
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    with pytest.raises(GankitError, match=message):
        load_config(str(path))


def test_a_data_path_for_data_gankit_makes_itself_is_refused():
    with pytest.raises(GankitError, match="'data.path' means nothing for data.name=ring8"):
        load_config("ring8_gan", ["data.path=/tmp"])
