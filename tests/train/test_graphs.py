"""train.compile's whole-step CUDA graph: when it is chosen, what refuses it, and (on a GPU) that it trains as eager."""

import pytest
import torch

from gankit import api
from gankit.config import apply_overrides, load_config
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.objectives import OBJECTIVES
from gankit.train.device import place_data
from gankit.train.graphs import WARMUP_STEPS, graph_refusal
from gankit.train.session import advance, speedup_of, start_session
from tests.conftest import FAMILY_CONFIGS, assert_resume_bit_exact

CUDA = torch.device("cuda")


GAN = OBJECTIVES["gan"]


def optim_cfgs(cfg):
    return [cfg.g_optim, cfg.d_optim]


def test_auto_picks_the_graph_on_cuda_and_torch_compile_elsewhere():
    cfg = load_config("dcgan_digits", ["train.compile=true"])
    assert speedup_of(cfg, CUDA, optim_cfgs(cfg), GAN) == "cudagraph"
    assert speedup_of(cfg, torch.device("cpu"), optim_cfgs(cfg), GAN) == "default"
    assert speedup_of(load_config("dcgan_digits"), CUDA, optim_cfgs(cfg), GAN) is None


def test_a_family_whose_step_changes_with_the_step_is_never_graphed():
    cfg = load_config("dcgan_digits", ["train.compile=true"])
    phased = GAN._replace(graphable=lambda cfg: "its phase changes at step 100")
    assert graph_refusal(cfg, CUDA, optim_cfgs(cfg), phased) == "objective=gan: its phase changes at step 100"
    assert speedup_of(cfg, CUDA, optim_cfgs(cfg), phased) is None
    cfg.train.compile_mode = "cudagraph"
    with pytest.raises(GankitError, match="cannot record this run's step as one CUDA graph: objective=gan: its phase"):
        speedup_of(cfg, CUDA, optim_cfgs(cfg), phased)


@pytest.mark.parametrize("overrides, reason", [
    (["train.precision=fp16"], "fp16's gradient scaler reads the device"),
    (["g_optim.lr_decay=1.00004"], "a learning-rate or momentum schedule"),
])
def test_what_the_graph_cannot_record_trains_eagerly_under_auto_and_is_one_sentence_when_asked(overrides, reason):
    cfg = load_config("dcgan_digits", ["train.compile=true", *overrides])
    assert reason in graph_refusal(cfg, CUDA, optim_cfgs(cfg), GAN)
    assert speedup_of(cfg, CUDA, optim_cfgs(cfg), GAN) is None  # torch.compile failed or cost more than it gave
    cfg.train.compile_mode = "cudagraph"
    with pytest.raises(GankitError, match=f"cannot record this run's step as one CUDA graph: {reason}"):
        speedup_of(cfg, CUDA, optim_cfgs(cfg), GAN)


def test_cudagraph_on_the_cpu_is_one_sentence(tmp_path):
    with pytest.raises(GankitError, match="CUDA graphs need a CUDA device and train.device resolves to cpu"):
        api.train("dcgan_digits", out=tmp_path, overrides=["train.device=cpu", "train.compile=true",
                                                            "train.compile_mode=cudagraph", "train.steps=1"])
    assert not any(tmp_path.iterdir())


# On a GPU ---------------------------------------------------------------------------------------

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

CONSTANT_LR = ["g_optim.linear_decay=null", "d_optim.linear_decay=null"]  # a schedule cannot be recorded
GRAPHED = {  # every family, and the gan family's steps with penalties, clipping and k D steps
    "gan": [],
    "conditional": [],
    "pix2pix": [],
    "cyclegan": CONSTANT_LR,
    "stargan": [],
    "gan, wgan-gp, 3 D steps": ["loss.name=wasserstein", "loss.penalty=gp", "model.d_norm=layer",
                                "train.n_critic=3"],
    "gan, r1": ["loss.penalty=r1"],
    "gan, wgan clip": ["loss.name=wasserstein", "loss.penalty=clip"],
}


def family_config(name, overrides=(), **train):
    """A family's tiny config with overrides (validated as the command line's --set)."""
    family = name.split(",")[0]
    cfg = FAMILY_CONFIGS[family](**train)
    cfg.objective = family
    return apply_overrides(cfg, [*GRAPHED.get(name, []), *overrides])


def steps_without_waiting(s, placed, n):
    """n more iterations under sync-debug "error": any host read of the device inside a step raises."""
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        return [advance(s, placed) for _ in range(n)]
    finally:
        torch.cuda.set_sync_debug_mode("default")


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("name", GRAPHED)
def test_graph_replays_train_exactly_as_eager_steps_and_never_wait(name):
    runs, examples = {}, {}
    for mode in ("eager", "graph"):
        cfg = family_config(name, ["train.deterministic=true", "train.compile=true", "train.compile_mode=cudagraph"])
        data = load_dataset(cfg.data)
        s = start_session(cfg, data, "cuda")
        if mode == "eager":
            s.speedup = None  # the same capturable optimizers, stepped without the graph
        placed = place_data(data, s.t.device)
        for _ in range(WARMUP_STEPS + 1):
            advance(s, placed)
        stats = steps_without_waiting(s, placed, 3)[-1]
        assert (s.graph is not None) == (mode == "graph")
        runs[mode] = ({k: v.clone() for k, v in stats.items()},
                      {f"{n}.{k}": v.clone() for n, net in s.nets.items() for k, v in net.state_dict().items()})
        examples[mode] = s.t.examples  # replays skip t.batch's Python: the graph adds its count per replay
    assert examples["graph"] == examples["eager"] > 0
    for eager, graph in zip(runs["eager"], runs["graph"]):
        assert eager.keys() == graph.keys()
        for key in eager:
            assert torch.equal(eager[key], graph[key]), key


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("family", sorted(OBJECTIVES))
def test_graphed_resume_is_bit_exact(tmp_path, family):
    # 4 steps a half: three eager warm-up steps, then the graph, on both sides of the resume
    assert_resume_bit_exact(tmp_path, lambda **train: family_config(family, **train), steps=4,
                            overrides=["train.device=cuda", "train.deterministic=true", "train.compile=true"])


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
@pytest.mark.parametrize("penalty", ["none", "gp"])
def test_mixed_precision_steps_never_wait_for_the_device(precision, penalty):
    overrides = [f"train.precision={precision}", "train.channels_last=true"]
    if penalty == "gp":
        overrides += ["loss.name=wasserstein", "loss.penalty=gp", "model.d_norm=layer"]
    cfg = family_config("gan", overrides)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cuda")
    placed = place_data(data, s.t.device)
    advance(s, placed)
    stats = steps_without_waiting(s, placed, 2)
    assert all(torch.isfinite(v).all() for st in stats for v in st.values())


def test_a_gpu_run_that_cannot_be_one_graph_says_it_trains_eagerly():
    from types import SimpleNamespace

    from gankit.objectives import OptimizerSpec
    from gankit.train.session import speedup_note

    cfg = load_config("dcgan_digits", ["train.compile=true", "g_optim.lr_decay=1.00004"])
    parts = SimpleNamespace(optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))})
    s = SimpleNamespace(cfg=cfg, speedup=None, t=SimpleNamespace(device=CUDA), parts=parts, family=GAN)
    assert speedup_note(s) == ("train.compile: this run's step cannot be one CUDA graph (a learning-rate or momentum "
                               "schedule changes the optimizer's arguments every step), so it trains eagerly.")
    assert speedup_note(SimpleNamespace(cfg=load_config("dcgan_digits"), speedup=None)) is None
