"""How big and how fast `gankit report` is for a large comparison: 20 runs of 30 picture steps each (grids of
64 real Fashion-MNIST images, which compress as samples do; 200 logged steps of 4 statistics), the page's
size, the time to write it, and the time headless Chromium takes to load and draw it (where installed). Usage:
python benchmarks/report_speed.py [--runs 20] [--pictures 30]. No threshold: the issue asks for "a few
megabytes" and "a few seconds", which the printed numbers are to be read against.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def real_images() -> torch.Tensor:
    """Fashion-MNIST's first test images where installed, else the 8x8 digits upscaled: grids that compress
    as real samples do (noise would not)."""
    from gankit.config import load_config
    from gankit.data import load_dataset

    for overrides in (["data.name=fashion_mnist", "data.split=test", "data.limit=4096"], ["data.resolution=28"]):
        try:
            data = load_dataset(load_config("dcgan_digits", overrides).data)
            return data.as_float(0, 4096)
        except Exception:
            continue
    raise SystemExit("no image data here: run `make data`")


def fake_run(folder: Path, index: int, pictures: int, images: torch.Tensor) -> Path:
    """A run folder with what `gankit train` leaves: config.yaml, stats.jsonl, checkpoints' JSON, pictures."""
    from gankit.viz import save_grid

    run = folder / f"{index:05d}-dcgan_fashion"
    (run / "samples").mkdir(parents=True)
    (run / "checkpoints").mkdir()
    (run / "config.yaml").write_text(f"objective: gan\ntrain: {{seed: {index}, steps: 6000}}\n")
    gen = torch.Generator().manual_seed(index)
    with open(run / "stats.jsonl", "w") as f:
        for step in range(30, 6001, 30):
            loss_d, loss_g = 1 + torch.rand(1, generator=gen).item(), 2 * torch.rand(1, generator=gen).item()
            f.write(json.dumps({"step": step, "wall_time": step / 20, "loss_D": loss_d, "loss_G": loss_g,
                                "D_real": 0.6, "D_fake": 0.4}) + "\n")
    (run / "checkpoints" / "ckpt-006000.json").write_text(json.dumps({"step": 6000}))
    for i in range(pictures):
        pick = torch.randint(len(images), (64,), generator=gen)
        save_grid(images[pick], run / "samples" / f"step-{i * 200:06d}.png")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pictures", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "report_speed.json")
    args = parser.parse_args()
    from gankit.report import report

    with tempfile.TemporaryDirectory() as tmp:
        images = real_images()
        runs = [fake_run(Path(tmp), i, args.pictures, images) for i in range(args.runs)]
        started = time.perf_counter()
        page = report(runs, out=Path(tmp) / "page.html")
        write_s = time.perf_counter() - started
        result = {"runs": args.runs, "pictures_per_run": args.pictures, "page_mb": page.stat().st_size / 1e6,
                  "write_s": write_s}
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser:
            shot = Path(tmp) / "shot.png"
            started = time.perf_counter()
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,2400",
                            f"--screenshot={shot}", page.as_uri()], capture_output=True, check=True, timeout=120)
            result["chromium_load_and_screenshot_s"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    browser_text = (f"; headless Chromium loaded and drew it in {result['chromium_load_and_screenshot_s']:.1f} s "
                    "(its own start included)" if "chromium_load_and_screenshot_s" in result else
                    "; no Chromium here to time the rendering")
    print(f"gankit report of {args.runs} runs x {args.pictures} pictures: {result['page_mb']:.2f} MB, written in "
          f"{write_s:.1f} s{browser_text}")


if __name__ == "__main__":
    main()
