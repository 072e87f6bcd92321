"""benchmarks/run.py runs end to end and writes a complete JSON report (no timing is asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gankit.config import load_config

ROOT = Path(__file__).resolve().parent.parent
PER_RECIPE = ("steps_per_s", "images_per_s", "flops_per_step", "gflops_per_s", "share_of_matmul_peak",
              "peak_rss_mib")


def test_benchmark_writes_report(tmp_path):
    out = tmp_path / "b.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--recipes", "gaussian1d_fig1",
           "--steps", "2", "--no-demo", "--no-eval", "--matmul-size", "256", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gaussian1d_fig1" in proc.stdout

    report = json.loads(out.read_text())
    for key in ("torch", "threads", "cpu_count", "platform"):
        assert key in report["machine"]
    assert report["matmul_peak"]["gflops_per_s"] > 0
    assert report["demo_seconds"] is None
    result = report["recipes"]["gaussian1d_fig1"]
    assert "error" not in result
    for key in PER_RECIPE:
        assert result[key] > 0, key
    # Real images seen per G step: the batch times the k D steps.
    cfg = load_config("gaussian1d_fig1")
    assert result["images_per_s"] == pytest.approx(result["steps_per_s"] * cfg.train.batch_size * cfg.train.n_critic)


def test_engine_race_runs_end_to_end(tmp_path):
    """The race's speed table and quality table for every contender (tiny budgets; no number is asserted)."""
    out = tmp_path / "race.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "engine_race.py"), "--steps", "2", "--rounds", "2",
           "--warmup", "1", "--minutes", "0.01", "--slice", "0.2", "--samples", "500", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    speed, quality = report["speed"], report["quality"]
    assert "error" not in str(speed)
    assert speed["plain loop"]["ratio_to_plain"] == 1.0
    assert all(len(r["rounds"]) == 2 and r["ratio_to_plain"] > 0 for r in speed.values())
    assert set(quality) == {"plain loop", "gankit dcgan_fashion", "gankit 0.1 dcgan_fashion"}
    assert all(r["steps"] > 0 and r["fid"] > 0 for r in quality.values())
    assert "x plain: the median of each round's ratio" in proc.stdout


def test_engine_race_with_variants_races_dcgan_fashion_against_them(tmp_path):
    out = tmp_path / "race.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "engine_race.py"), "--no-speed", "--minutes", "0.005",
           "--slice", "0.1", "--samples", "300", "--variant", "bCR=loss.bcr_weight=10",
           "--variant", "DiffAugment=train.augment=diffaug,train.augment_policy=translation", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    quality = json.loads(out.read_text())["quality"]
    assert set(quality) == {"gankit dcgan_fashion", "dcgan_fashion, bCR", "dcgan_fashion, DiffAugment"}
    assert all(r["steps"] > 0 and r["fid"] > 0 for r in quality.values())


def test_text_speed_race_runs_end_to_end(tmp_path):
    """benchmarks/text_speed.py on tiny budgets: both races report tokens/s and a ratio (none is asserted)."""
    out = tmp_path / "t.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "text_speed.py"), "--rounds", "1", "--mle-steps", "1",
           "--rollout-steps", "1", "--rollouts", "1", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    for race in ("mle", "seqgan_rollout"):
        assert report[race]["gankit_tokens_per_s"] > 0 and report[race]["plain_tokens_per_s"] > 0
        assert report[race]["ratio"] > 0


@pytest.mark.slow
def test_ddp_speed_race_runs_end_to_end(tmp_path):
    """benchmarks/ddp_speed.py on a tiny budget: 1 process and 2 under torchrun report steps/s, a ratio and the
    all-reduce's share (none is asserted but that they were measured)."""
    out = tmp_path / "d.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "ddp_speed.py"), "--recipe", "dcgan_digits", "--rounds", "1",
           "--steps", "2", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["steps_per_s"]["plain"] > 0 and report["steps_per_s"]["torchrun"] > 0
    assert 0 < report["allreduce_share_torchrun"] < 1 and report["torchrun_processes"] == 2


def test_report_speed_runs_end_to_end(tmp_path):
    """benchmarks/report_speed.py on 2 runs of 2 pictures: the page's size and time are measured."""
    out = tmp_path / "r.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "report_speed.py"), "--runs", "2", "--pictures", "2", "--out",
           str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["page_mb"] > 0 and report["write_s"] > 0


def test_sr_speed_runs_end_to_end(tmp_path):
    """benchmarks/sr_speed.py on one step a contender: img/s and ratios to dcgan_fashion."""
    out = tmp_path / "s.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "sr_speed.py"), "--rounds", "1", "--steps", "1", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["eager"]["dcgan_fashion"]["ratio_to_dcgan"] == 1.0 and len(report["eager"]) == 3
    assert all(row["images_per_s"] > 0 for row in report["eager"].values())


def test_style_speed_runs_end_to_end(tmp_path):
    """benchmarks/style_speed.py on one step a contender and a moment of training: img/s, ratios and FID."""
    out = tmp_path / "s.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "style_speed.py"), "--rounds", "1", "--steps", "1",
           "--seconds", "0.5", "--samples", "200", "--digits", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["eager"]["dcgan_fashion"]["ratio_to_dcgan"] == 1.0
    assert all(row["images_per_s"] > 0 for row in report["eager"].values())
    assert set(report["quality"]) == {"dcgan_fashion", "stylegan2_fashion"}
    assert all(row["fid"] > 0 and row["steps"] > 0 for row in report["quality"].values())
