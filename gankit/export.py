"""`gankit export`: a run's sampling network alone, for use without gankit, with a JSON beside it.

- `onnx`: the legacy TorchScript-based exporter at opset OPSET, the batch dimension of every input and of the
  output left free (the image size is the run's); checked with onnx.checker (needs the onnx package).
- `torchscript`: torch.jit.trace of the network, loadable with torch.jit.load.
- `safetensors`: the network's weights and the run's config (in the JSON), for gankit.load_generator(path),
  which rebuilds the network without unpickling anything; every family, text included.

The family says what its network takes (Family.export: the EMA copy when the run kept one); the JSON names
the inputs in order with their shapes ("batch" first), the output, the value range, and the labels, domains
or vocabulary a user needs to read it. Nothing existing is overwritten; both files are written atomically.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from gankit.atomic import atomic_write
from gankit.config import from_dict, to_dict
from gankit.data import DataSpec
from gankit.errors import GankitError

FORMATS = {"onnx": ".onnx", "torchscript": ".pt", "safetensors": ".safetensors"}
OPSET = 17  # every operator gankit's image networks use, and onnxruntime 1.16 and later run it


def export_run(run_dir: str | Path, fmt: str, out: str | Path | None = None, checkpoint: str = "latest",
               **arguments) -> Path:
    """Export a run's sampling network as fmt to out (default RUN/export/generator.SUFFIX); the model's path."""
    from gankit.api import check_arguments, load_run

    if fmt not in FORMATS:
        raise GankitError(f"--format {fmt} is not one of {', '.join(FORMATS)}.")
    run = load_run(run_dir, checkpoint)
    out = Path(out) if out is not None else run.path / "export" / f"generator{FORMATS[fmt]}"
    if out.suffix.lower() != FORMATS[fmt]:
        raise GankitError(f"--out {out} must end in {FORMATS[fmt]} for --format {fmt}.")
    meta_path = meta_path_of(out)
    for path in (out, meta_path):
        if path.exists():
            raise GankitError(f"{path} already exists; choose another --out or remove it first.")
    arguments = check_arguments(run, "export", arguments)
    exported = None
    if fmt != "safetensors":
        if run.family.export is None:
            raise GankitError(f"an objective={run.cfg.objective} run declares no network to export; use --format "
                              "safetensors.")
        exported = run.family.export(run.parts, **arguments)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"format": fmt, "objective": run.cfg.objective, "step": run.step, "run": str(run.path),
            "data": {"kind": run.spec.kind, "shape": list(run.spec.shape)}}
    if run.spec.vocab:
        meta["vocab"], meta["separator"] = list(run.spec.vocab), run.spec.separator
    if exported is None:
        _write_weights(run, out, meta)
    else:
        with warnings.catch_warnings():  # the tracer's notes on shapes fixed at export: the spatial size is the run's
            warnings.simplefilter("ignore")
            _write_network(exported, fmt, out, meta)
    atomic_write(meta_path, lambda f: f.write(json.dumps(meta, indent=1).encode()))
    return out


def meta_path_of(model: Path) -> Path:
    """The JSON that goes beside an exported model: its name plus .json (generator.onnx.json)."""
    return model.with_name(model.name + ".json")


def _write_weights(run, out: Path, meta: dict) -> None:
    net = run.parts.sampling_net()
    name = next(k for k, v in run.parts.nets.items() if v is net)
    meta |= {"net": name, "config": to_dict(run.cfg), "spec": list(run.spec),
             "load": "gankit.load_generator(PATH) rebuilds the network from this file and the config here"}
    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    atomic_write(out, lambda f: f.write(save(tensors)))


def _write_network(exported, fmt: str, out: Path, meta: dict) -> None:
    net, names = exported.net.eval(), list(exported.inputs)
    example = tuple(exported.inputs.values())
    with torch.no_grad():
        output = net(*example)
    meta |= exported.meta | {
        "inputs": [{"name": n, "shape": ["batch", *x.shape[1:]], "dtype": str(x.dtype).removeprefix("torch.")}
                   for n, x in exported.inputs.items()],
        "output": {"name": "samples", "shape": ["batch", *output.shape[1:]],
                   "range": [-1, 1] if meta["data"]["kind"] != "toy" else None}}
    if fmt == "torchscript":
        with torch.no_grad():
            traced = torch.jit.trace(net, example)
        atomic_write(out, lambda f: torch.jit.save(traced, f))
        meta["load"] = "torch.jit.load(PATH)(*inputs) -> samples"
        return
    try:
        import onnx
    except ImportError:
        raise GankitError("--format onnx needs the onnx package: pip install onnx (and onnxruntime to run the "
                          "model), or pip install 'gankit[export]'.") from None
    meta["opset"] = OPSET
    meta["load"] = "onnxruntime.InferenceSession(PATH).run(None, {name: array, ...})[0] -> samples"
    axes = {n: {0: "batch"} for n in names + ["samples"]}
    atomic_write(out, lambda f: torch.onnx.export(net, example, f, dynamo=False, input_names=names,
                                                  output_names=["samples"], dynamic_axes=axes, opset_version=OPSET))
    onnx.checker.check_model(onnx.load(str(out)))


def load_generator(path: str | Path, device: str = "cpu") -> torch.nn.Module:
    """The network `gankit export --format safetensors` wrote, rebuilt from the JSON beside it (in eval mode)."""
    from gankit.train.session import build_parts

    path = Path(path)
    meta_path = meta_path_of(path)
    if not path.is_file() or not meta_path.is_file():
        raise GankitError(f"{path} and {meta_path.name} beside it are what `gankit export --format safetensors` "
                          "writes; give that file.")
    try:
        meta = json.loads(meta_path.read_text())
        cfg = from_dict(meta["config"], source=str(meta_path), note_renames=False)
        kind, shape, classes, names, multi, vocab, separator = meta["spec"]
        spec = DataSpec(kind, tuple(shape), classes, tuple(names), bool(multi), tuple(vocab), separator)
        with torch.random.fork_rng(devices=[]):  # building seeds torch's generator: leave the caller's alone
            net = build_parts(cfg, spec).nets[meta["net"]]
        net.load_state_dict(load_file(str(path)))
    except (KeyError, ValueError, TypeError, RuntimeError, OSError) as exc:
        raise GankitError(f"{path} (with {meta_path.name}) is not a generator gankit exported ({exc}); export it "
                          "again with gankit export --format safetensors.") from None
    return net.to(device).eval()
