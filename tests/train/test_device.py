"""Device names, data placement and determinism settings."""

import pytest
import torch

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.train import device as device_module
from gankit.train.device import native_bf16_cpu, place_data, resolve_device, resolve_precision
from gankit.train.session import start_session
from tests.conftest import tiny_image_config


def test_cpu_and_auto_resolve_here():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type in (expected, "mps")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the sentence a CPU-only machine gives")
@pytest.mark.parametrize("name", ["cuda", "cuda:1"])
def test_cuda_without_a_gpu_is_one_sentence(name):
    with pytest.raises(GankitError, match="needs a CUDA build of torch and a GPU.*TORCH_SPEC"):
        resolve_device(name)


def test_device_names_are_checked_in_the_config():
    with pytest.raises(GankitError, match="'train.device' is 'gpu'; allowed: auto, cpu, cuda, cuda:N"):
        load_config("dcgan_digits", ["train.device=gpu"])
    assert load_config("dcgan_digits", ["train.device=cuda:3"]).train.device == "cuda:3"


def test_cpu_data_stays_put():
    data = load_dataset(tiny_image_config().data)
    assert place_data(data, torch.device("cpu")) is data


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_data_moves_to_the_gpu_as_uint8_and_batches_are_drawn_there():
    data = load_dataset(tiny_image_config().data)
    placed = place_data(data, torch.device("cuda"))
    assert placed.images.is_cuda and placed.images.dtype == torch.uint8
    x, _ = placed.sample(4, torch.Generator(device="cuda").manual_seed(0))
    assert x.is_cuda and x.dtype == torch.float32


@pytest.mark.parametrize("name", ["fp32", "bf16", "fp16"])
def test_named_precisions_stay_what_they_are(name):
    for device in ("cpu", "cuda", "mps"):
        assert resolve_precision(name, torch.device(device)) == name


@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_is_bf16_only_on_a_cpu_with_bf16_in_hardware(native, monkeypatch):
    monkeypatch.setattr(device_module, "native_bf16_cpu", lambda: native)
    assert resolve_precision("auto", torch.device("cpu")) == ("bf16" if native else "fp32")
    assert resolve_precision("auto", torch.device("cuda")) == "fp32"  # GPUs were measured in fp32
    assert resolve_precision("auto", torch.device("mps")) == "fp32"


def test_a_session_trains_in_the_precision_auto_resolves_to():
    cfg = tiny_image_config(precision="auto", device="cpu")
    s = start_session(cfg, load_dataset(cfg.data))
    assert s.t.precision == ("bf16" if native_bf16_cpu() else "fp32")
