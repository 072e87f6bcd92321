"""What `gankit train` does around training when torchrun starts it: the checks before anything starts, the
process group, the run folder that rank 0 makes and the others learn, and torchrun's restarts.

With `torchrun --max-restarts K`, a failed worker makes torchrun start every process again (the same
TORCHELASTIC_RUN_ID, a higher TORCHELASTIC_RESTART_COUNT); rank 0 recorded the run folder it made in
`OUT/.torchrun-<run id>`, so the restarted processes continue that run from its newest checkpoint (bit for bit,
as any resume), or start it over when it had none yet. The record is removed when training ends.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from gankit.atomic import atomic_write
from gankit.errors import GankitError
from gankit.train import checkpoint as ckpt
from gankit.train.distributed import World, share_text, start, stop
from gankit.train.run_dir import new_run_dir


def check_world(cfg, world: World) -> None:
    """What must hold before several processes start: the global batch splits evenly."""
    if world.active and cfg.train.batch_size % world.size:
        raise GankitError(f"train.batch_size={cfg.train.batch_size} (the global batch) does not split evenly over "
                          f"{world.size} processes; set it to a multiple of {world.size}.")


@contextlib.contextmanager
def process_group(world: World, timeout_s: float):
    """The process group for the block (nothing when there is one process)."""
    start(world, timeout_s)
    try:
        yield
    finally:
        stop()


def _record(out: Path) -> Path | None:
    run_id = os.environ.get("TORCHELASTIC_RUN_ID")
    if not run_id:
        return None
    return out / f".torchrun-{re.sub(r'[^A-Za-z0-9_.-]', '_', run_id)}"


def _restarted() -> bool:
    return int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") or 0) > 0


def launch_run_dir(out: Path, name: str, world: World) -> tuple[Path, bool]:
    """(the run folder, whether to resume it) for a run started without --resume: a new folder made by rank 0,
    or, after a torchrun restart, the folder the first attempt made (resumed when it has a checkpoint)."""
    path = ""
    if world.main:
        record = _record(out) if world.active else None
        earlier = record.read_text().strip() if record is not None and _restarted() and record.is_file() else ""
        if earlier and (out / earlier).is_dir():
            path = str(out / earlier)
        else:
            run_dir = new_run_dir(out, name)
            path = str(run_dir)
            if record is not None:
                atomic_write(record, lambda f: f.write(run_dir.name.encode()))
    run_dir = Path(share_text(path, world))
    return run_dir, bool(ckpt.list_checkpoints(run_dir / "checkpoints"))


def finish_launch(out: Path, world: World) -> None:
    """Training ended: rank 0 forgets the restart record."""
    record = _record(out) if world.active and world.main else None
    if record is not None:
        record.unlink(missing_ok=True)
