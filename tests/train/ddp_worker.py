"""What the torchrun tests launch: `gankit train` of one family's tiny test config, under torchrun (one process
each) or alone. Usage: python ddp_worker.py FAMILY OUT [gankit train flags ...].

Test-only faults, by environment: GANKIT_TEST_KILL_AT=RANK:STEP sends SIGKILL to that rank before that step
(first attempt only, so a torchrun restart gets through); GANKIT_TEST_RAISE_AT=RANK:STEP makes it raise a
GankitError there.
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for tests.conftest

from gankit.cli import main  # noqa: E402
from gankit.config import save_config  # noqa: E402
from gankit.errors import GankitError  # noqa: E402
from gankit.train import loop  # noqa: E402
from tests.conftest import FAMILY_CONFIGS  # noqa: E402


def _fault(name: str) -> tuple[int, int] | None:
    value = os.environ.get(name)
    if not value:
        return None
    rank, step = value.split(":")
    return int(rank), int(step)


def install_faults() -> None:
    """Wrap the loop's advance with the faults the environment asks for."""
    kill, fail = _fault("GANKIT_TEST_KILL_AT"), _fault("GANKIT_TEST_RAISE_AT")
    rank, first_attempt = int(os.environ.get("RANK", "0")), os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") == "0"
    advance = loop.advance

    def faulty(s, data):
        if kill and first_attempt and (rank, s.step) == kill:
            os.kill(os.getpid(), signal.SIGKILL)
        if fail and (rank, s.step) == fail:
            raise GankitError(f"a test fault at step {s.step}")
        return advance(s, data)

    loop.advance = faulty


if __name__ == "__main__":
    family, out, *flags = sys.argv[1:]
    recipe = Path(out) / f"tiny_{family}.yaml"
    Path(out).mkdir(parents=True, exist_ok=True)
    if not recipe.exists():  # on the CPU (gloo) even where a GPU is: two processes cannot share one GPU with NCCL
        cfg = FAMILY_CONFIGS[family]()
        cfg.train.device = "cpu"
        save_config(cfg, recipe)
    install_faults()
    sys.exit(main(["train", str(recipe), "--out", out, *flags]))
