"""model.init_from: a new run whose networks start from another run's (ESRGAN's GAN from its PSNR model).

Every network of the new run that the other run's newest checkpoint also has (by name: G, D, G_ema, ...)
starts from its weights; an EMA copy the other run did not keep starts from its source's. A network of the
same name that does not fit (other layers or sizes) is one sentence; networks the other run lacks keep the
seeded initialisation. Optimizer states, step counts and random streams start afresh: it is a new run.
"""

from __future__ import annotations

from pathlib import Path

from gankit.errors import GankitError
from gankit.objectives.parts import Parts
from gankit.train import checkpoint as ckpt


def warm_start(parts: Parts, run_dir: str) -> list[str]:
    """Load parts' networks from the newest checkpoint of run_dir (see the module); the names loaded."""
    folder = Path(run_dir).expanduser()
    if not folder.is_dir():
        raise GankitError(f"model.init_from={run_dir} is not a run folder; give the folder `gankit train` printed.")
    if not ckpt.list_checkpoints(folder / "checkpoints"):
        raise GankitError(f"model.init_from={run_dir} has no checkpoint yet; train it first, or point at another run.")
    tensors, _, _, _ = ckpt.load_newest_good(folder / "checkpoints")
    loaded = []
    for name, net in parts.nets.items():
        source = name if ckpt.sub_state(name, tensors) else parts.emas.get(name)
        state = ckpt.sub_state(source, tensors) if source else {}
        if not state:
            continue
        own = net.state_dict()
        fits = state.keys() == own.keys() and all(state[k].shape == own[k].shape for k in own)
        if not fits:
            raise GankitError(f"model.init_from={run_dir}: its {source} does not fit this run's {name} (other layers "
                              f"or sizes); give a run of the same model settings, or drop model.init_from.")
        net.load_state_dict(state)
        loaded.append(name)
    if not loaded:
        raise GankitError(f"model.init_from={run_dir} holds none of this run's networks ({', '.join(parts.nets)}); "
                          "give a run of the same objective.")
    return loaded
