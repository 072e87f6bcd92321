"""The GPU targets of the engine issue, read off the JSON files benchmarks/gpu_check.sh wrote.

    python benchmarks/gpu_targets.py OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _load(folder: Path, name: str) -> dict:
    path = folder / name
    return json.loads(path.read_text()) if path.exists() else {}


def _best(speed: dict, prefix: str) -> tuple[str, float]:
    """The fastest contender whose name starts with prefix: (name, images/s)."""
    found = [(name, r["images_per_s"]) for name, r in speed.items() if name.startswith(prefix) and "error" not in r]
    return max(found, key=lambda item: item[1]) if found else ("none", 0.0)


def targets(folder: Path) -> list[tuple[str, str, bool]]:
    """(target, what was measured, met) for each GPU target."""
    rows = []
    b64 = _load(folder, "race-cuda-b64.json").get("speed", {})
    if b64:
        plain = b64["plain loop"]["images_per_s"]
        same = b64.get("gankit, same networks", {}).get("images_per_s", 0.0)
        rows.append(("batch 64: gankit eager >= plain loop", f"{same:,.0f} vs {plain:,.0f} img/s", same >= plain))
        name, fast = _best(b64, "gankit, same, ")
        rows.append(("batch 64: gankit compiled >= 2x plain loop", f"{name}: {fast:,.0f} img/s = "
                     f"{fast / plain:.2f}x", fast >= 2 * plain))
    b512 = _load(folder, "race-cuda-b512.json").get("speed", {})
    if b512:
        name, fast = _best(b512, "gankit")
        rows.append(("batch 512: >= 60,000 img/s", f"{name}: {fast:,.0f} img/s", fast >= 60_000))
    quality = _load(folder, "race-cuda-60s.json").get("quality", {})
    if quality:
        ours, plain = quality["gankit dcgan_fashion"]["fid"], quality["plain loop"]["fid"]
        rows.append(("60 s: dcgan_fashion FID < plain loop's", f"{ours:.2f} vs {plain:.2f}", ours < plain))
    return rows


def main(argv: list[str]) -> int:
    rows = targets(Path(argv[0]))
    for target, measured, met in rows:
        print(f"{'met ' if met else 'MISSED'} {target:45s} {measured}")
    return 0 if rows and all(met for _, _, met in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
