"""Shared fixtures: tiny configs that train in a fraction of a second."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from gankit.config import Config, from_dict, to_dict


def tiny_toy_config(**train) -> Config:
    """A small MLP GAN on the 1-D Gaussian."""
    tree = {
        "data": {"name": "gaussian1d"},
        "model": {"name": "mlp", "z_dim": 1, "z_dist": "uniform", "g_hidden": [8], "d_hidden": [8], "g_out": "none"},
        "train": {"steps": 6, "batch_size": 16, "log_every": 2, "sample_every": 3, "checkpoint_every": 3,
                  "n_samples": 16, "progress": False, **train},
    }
    return from_dict(tree)


def tiny_image_config(**train) -> Config:
    """A small DCGAN on 16x16 upscaled digits, with dropout-free nets."""
    tree = {
        "data": {"name": "digits", "resolution": 16, "limit": 200},
        "model": {"name": "dcgan", "z_dim": 8, "width": 4},
        "train": {"steps": 4, "batch_size": 8, "log_every": 2, "sample_every": 2, "checkpoint_every": 2,
                  "n_samples": 4, "progress": False, **train},
    }
    return from_dict(tree)


# A tiny config for every family in gankit.objectives.OBJECTIVES: the family contract tests
# (tests/objectives/test_family_contract.py) run on each; a new family adds its line here.
def tiny_gan_config(**train) -> Config:
    """The unconditional family: a small DCGAN with EMA on the 8x8 digits (scored by the digits classifier)."""
    cfg = tiny_image_config(ema=0.9, **train)
    cfg.data.resolution = 8
    return cfg


def tiny_conditional_config(**train) -> Config:
    """The conditional family: a projection-D / conditional-BatchNorm-G DCGAN with EMA on the 8x8 digits."""
    cfg = tiny_gan_config(**train)
    tree = to_dict(cfg) | {"objective": "conditional", "conditional": {"cond": "projection"}}
    tree["train"]["n_samples"] = 20  # two per class
    return from_dict(tree)


def _tiny_translation(objective: str, data: str, model: dict, loss: dict | None = None, options: dict | None = None,
                      **train) -> Config:
    """A translation family on a built-in Fashion-MNIST task, cut to 40 examples at 16 px, 4-channel-wide nets."""
    tree = {"objective": objective, "data": {"name": data, "resolution": 16, "limit": 40},
            "model": {"width": 4, **model}, "loss": loss or {}, objective: options or {},
            "train": {"steps": 4, "batch_size": 4, "log_every": 2, "sample_every": 2, "checkpoint_every": 2,
                      "n_samples": 6, "progress": False, **train}}
    return from_dict(tree)


def tiny_pix2pix_config(**train) -> Config:
    """pix2pix on edges2fashion: U-Net with dropout, 1-layer PatchGAN, EMA."""
    return _tiny_translation("pix2pix", "edges2fashion", {"name": "pix2pix", "d_layers": 1, "g_dropout": 0.5},
                             ema=0.9, **train)


def tiny_cyclegan_config(**train) -> Config:
    """CycleGAN on sandal2sneaker: ResNet Gs with one block, LSGAN, a pool of 8, linear decay from step 2."""
    cfg = _tiny_translation("cyclegan", "sandal2sneaker", {"name": "cyclegan", "d_layers": 1, "g_blocks": 1},
                            {"name": "lsgan"}, {"pool_size": 8}, **train)
    cfg.g_optim.linear_decay = cfg.d_optim.linear_decay = [2, 6]
    return cfg


def tiny_stargan_config(**train) -> Config:
    """StarGAN on footwear (3 domains): WGAN-GP, 2 D steps per G step."""
    return _tiny_translation("stargan", "footwear", {"name": "stargan", "g_blocks": 1},
                             {"name": "wasserstein", "penalty": "gp"}, n_critic=2, **train)


def tiny_srgan_config(**train) -> Config:
    """Super-resolution x4 on fashion_sr (7 -> 28 px, 40 pairs): a one-block SRResNet with a noise map, the
    classifier's feature loss and the relativistic GAN from the first step, EMA."""
    tree = {"objective": "srgan", "data": {"name": "fashion_sr", "limit": 40},
            "model": {"name": "srgan", "width": 4, "g_blocks": 1},
            "srgan": {"feature_weight": 1.0, "adv_weight": 0.01},
            "train": {"steps": 4, "batch_size": 4, "log_every": 2, "sample_every": 2, "checkpoint_every": 2,
                      "n_samples": 6, "progress": False, "ema": 0.9, **train}}
    return from_dict(tree)


def tiny_nextframe_config(**train) -> Config:
    """Next-frame prediction on fork at its minimum 16 px (3 past and 3 future frames, 40 garments): width-4
    networks, one noise map, the diversity term and a 2-scale D, EMA."""
    tree = {"objective": "nextframe", "data": {"name": "fork", "resolution": 16, "limit": 40, "frames_in": 3,
                                               "frames_out": 3},
            "model": {"width": 4}, "nextframe": {"scales": 2, "diversity_weight": 0.1},
            "train": {"steps": 4, "batch_size": 4, "log_every": 2, "sample_every": 2, "checkpoint_every": 2,
                      "n_samples": 6, "progress": False, "ema": 0.9, **train}}
    return from_dict(tree)


TINY_CORPUS = Path(__file__).parent / "fixtures" / "tiny_corpus"


def _tiny_text(objective: str, options: dict | None = None, **train) -> Config:
    """A text family on a tiny corpus of made-up sentences (train.txt / test.txt): a 16-unit LSTM G."""
    tree = {"objective": objective, objective: options or {},
            "data": {"name": "text", "path": str(TINY_CORPUS), "max_length": 10},
            "model": {"name": "lstm", "embed_dim": 8, "hidden_dim": 16},
            "g_optim": {"lr": 0.01}, "d_optim": {"lr": 0.001},
            "train": {"steps": 4, "batch_size": 8, "log_every": 2, "sample_every": 2, "checkpoint_every": 2,
                      "n_samples": 6, "progress": False, **train}}
    if objective != "mle":
        tree["model"] |= {"discriminator": "textcnn", "d_embed_dim": 8, "d_filters": 5.0}
    return from_dict(tree)


def tiny_mle_config(**train) -> Config:
    """Maximum likelihood on the tiny corpus."""
    return _tiny_text("mle", **train)


def tiny_seqgan_config(**train) -> Config:
    """SeqGAN on the tiny corpus, adversarial from the first step (its phases have tests of their own), with
    2 rollouts and 2 D updates a step."""
    return _tiny_text("seqgan", {"mle_steps": 0, "d_pretrain_steps": 0, "rollouts": 2, "adv_d_steps": 2}, **train)


def tiny_gumbel_config(**train) -> Config:
    """The Gumbel-softmax family on the tiny corpus, adversarial from the first step, beta up to 10 over 8 steps."""
    return _tiny_text("gumbel", {"mle_steps": 0, "beta_max": 10.0, "anneal_steps": 8, "adv_d_steps": 2}, **train)


FAMILY_CONFIGS = {
    "gan": tiny_gan_config,
    "conditional": tiny_conditional_config,
    "pix2pix": tiny_pix2pix_config,
    "cyclegan": tiny_cyclegan_config,
    "stargan": tiny_stargan_config,
    "mle": tiny_mle_config,
    "seqgan": tiny_seqgan_config,
    "gumbel": tiny_gumbel_config,
    "srgan": tiny_srgan_config,
    "nextframe": tiny_nextframe_config,
}


@pytest.fixture
def toy_config():
    return tiny_toy_config()


@pytest.fixture
def image_config():
    return tiny_image_config()


def options_session(cfg: Config, **options):
    """(a CPU session of cfg with these keys of its family's options section set, its training data)."""
    from gankit.data import load_dataset
    from gankit.train.session import start_session
    for key, value in options.items():
        setattr(cfg.options, key, value)
    data = load_dataset(cfg.data)
    return start_session(cfg, data, "cpu"), data


def assert_resume_bit_exact(tmp_path, make, steps: int, overrides=()) -> dict:
    """`steps` steps + resume + `steps` steps give the same final checkpoint, tensor for tensor, as 2 x `steps`.

    make(steps=..., checkpoint_every=...) -> Config. Returns the final checkpoint's tensors.
    """
    from gankit import api
    from gankit.train import checkpoint as ckpt

    overrides = list(overrides)
    straight = api.train(make(steps=2 * steps, checkpoint_every=steps), out=tmp_path / "a", overrides=overrides)
    half = api.train(make(steps=steps, checkpoint_every=steps), out=tmp_path / "b", overrides=overrides)
    api.train("ignored", out=tmp_path / "b", overrides=[f"train.steps={2 * steps}"], resume=half)
    a, b = [load_file(str(ckpt.list_checkpoints(r / "checkpoints")[-1].with_suffix(".safetensors")))
            for r in (straight, half)]
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    return a
