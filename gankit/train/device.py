"""Devices: `train.device` / `--device` names to torch devices, and where the data are held."""

from __future__ import annotations

import os

import torch

from gankit.errors import GankitError

# Data are moved to a GPU when they take at most this share of its free memory.
DATA_SHARE_OF_FREE_MEMORY = 0.25


def _mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def resolve_device(name: str | torch.device) -> torch.device:
    """auto (cuda, then mps, then cpu) | cpu | cuda | cuda:N | mps -> a torch.device that exists here."""
    if isinstance(name, torch.device):
        return name
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "mps":
        if not _mps_available():
            raise GankitError("device 'mps' is not available on this machine; use device auto or cpu.")
        return torch.device("mps")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise GankitError(f"device '{name}' needs a CUDA build of torch and a GPU, and this machine has "
                              "neither; use device auto or cpu (README: TORCH_SPEC installs a CUDA build).")
        index = int(name.partition(":")[2] or torch.cuda.current_device())
        if index >= torch.cuda.device_count():
            raise GankitError(f"device '{name}' does not exist; this machine has {torch.cuda.device_count()} "
                              f"GPU(s): use cuda:0 to cuda:{torch.cuda.device_count() - 1}.")
        return torch.device("cuda", index)
    raise GankitError(f"device '{name}' is not one of auto, cpu, cuda, cuda:N, mps.")


def native_bf16_cpu() -> bool:
    """Whether this CPU multiplies bf16 in hardware (AMX or AVX-512 BF16); elsewhere bf16 is emulated and slow."""
    checks = (getattr(torch.cpu, name, None) for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"))
    return any(check() for check in checks if check is not None)


def resolve_precision(name: str, device: torch.device) -> str:
    """auto -> bf16 on a CPU with bf16 in hardware (faster per minute there; emulated bf16 elsewhere is slow),
    fp32 elsewhere (the GPU numbers are fp32's; docs/performance.md has the measurements); fp32 | bf16 | fp16
    stay as they are."""
    if name != "auto":
        return name
    return "bf16" if device.type == "cpu" and native_bf16_cpu() else "fp32"


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (timings on a GPU need it; a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def configure_determinism(device: torch.device, deterministic: bool) -> None:
    """Deterministic kernels when asked (bit-exact CUDA resumes), else cuDNN's fastest algorithms."""
    if device.type != "cuda":
        return
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = not deterministic
    torch.backends.cudnn.deterministic = deterministic


def place_data(data, device: torch.device):
    """The dataset on the training device when it fits there, else where it is (batches then move)."""
    if device.type == "cpu" or data.device == device:
        return data
    if device.type == "cuda":
        nbytes = sum(t.numel() * t.element_size() for t in _tensors(data))
        free, _ = torch.cuda.mem_get_info(device)
        if nbytes > DATA_SHARE_OF_FREE_MEMORY * free:
            return data
    return data.to(device)


def _tensors(data) -> list[torch.Tensor]:
    if data.kind == "image":
        return [data.images] + ([data.labels] if data.labels is not None else [])
    if data.kind in ("paired", "unpaired"):
        extra = (getattr(data, name, None) for name in ("labels", "labels_a", "labels_b", "pairs_b"))
        return [data.a, data.b] + [t for t in extra if t is not None]
    if data.kind == "tokens":
        return [data.tokens]
    return [data.modes]
