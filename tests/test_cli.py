import json
import subprocess
import sys

import numpy as np
import pytest
import yaml
from PIL import Image

from gankit.cli import main

TINY = ["--set", "train.steps=4", "--set", "train.batch_size=8", "--set", "train.log_every=2",
        "--set", "train.sample_every=2", "--set", "train.checkpoint_every=2", "--set", "train.n_samples=4",
        "--set", "train.progress=false"]
TINY_DIGITS = ["dcgan_digits", "--set", "model.width=4", "--set", "model.z_dim=8", "--set", "data.limit=100"] + TINY


def test_recipes_lists_each_with_a_description(capsys):
    assert main(["recipes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("dcgan_fashion ") and "DCGAN" in line for line in lines)
    assert len(lines) >= 9


def test_dry_run_prints_the_resolved_config_and_writes_nothing(tmp_path, capsys):
    assert main(["train", "wgangp_fashion", "--out", str(tmp_path / "runs"), "--dry-run",
                 "--set", "train.steps=7"]) == 0
    cfg = yaml.safe_load(capsys.readouterr().out)
    assert cfg["train"]["steps"] == 7 and cfg["loss"]["penalty"] == "gp"
    assert not (tmp_path / "runs").exists()


def test_one_set_takes_several_overrides_as_readme_writes(capsys):
    assert main(["train", "dcgan_fashion", "--dry-run", "--set", "train.steps=7", "train.device=cpu",
                 "--set", "train.precision=bf16"]) == 0
    cfg = yaml.safe_load(capsys.readouterr().out)
    assert (cfg["train"]["steps"], cfg["train"]["device"], cfg["train"]["precision"]) == (7, "cpu", "bf16")


def test_unknown_objective_is_one_sentence(capsys):
    assert main(["train", "dcgan_fashion", "--dry-run", "--set", "objective=stylegan"]) == 2
    assert "unknown objective 'stylegan'; did you mean 'cyclegan'? use one of: gan" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["train", "dcgan_fashion", "--set", "train.stpes=3", "--dry-run"], "did you mean 'train.steps'"),
    (["train", "dcgan_fashion", "--set", "loss.name=foo", "--dry-run"], "allowed: minimax"),
    (["train", "nope_recipe"], "no recipe named 'nope_recipe'"),
    (["sample", "/no/such/run"], "does not exist"),
    (["reproduce", "fig1", "--data", "/tmp"], "takes no --data; only table1"),
    (["reproduce", "table1", "--data", "/no/such/mnist"], "is not a folder"),
    (["reproduce", "tabel1"], "no experiment named 'tabel1'"),
])
def test_errors_are_one_sentence_and_exit_2(args, words, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("gankit: error: ") and words in err and len(err.strip().splitlines()) == 1


def test_train_then_sample_writes_every_file(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", *TINY_DIGITS, "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    run_dir = out / "00000-dcgan_digits"
    assert lines[-1] == str(run_dir)  # the last line is the run folder, for scripts
    for name in ("config.yaml", "stats.jsonl", "samples.gif", "curves.png", "samples/step-000004.png",
                 "checkpoints/ckpt-000004.json", "checkpoints/ckpt-000004.safetensors"):
        assert (run_dir / name).exists(), name
    assert any(str(run_dir / "samples.gif") in line for line in lines)

    npz = tmp_path / "s.npz"
    assert main(["sample", str(run_dir), "--n", "10", "--seed", "3", "--out", str(npz)]) == 0
    images = np.load(npz)["images"]
    assert images.shape == (10, 16, 16, 1) and images.dtype == np.uint8
    assert main(["sample", str(run_dir), "--n", "10", "--seed", "3", "--out", str(tmp_path / "t.npz")]) == 0
    assert np.array_equal(images, np.load(tmp_path / "t.npz")["images"])  # same seed, same samples
    assert main(["sample", str(run_dir), "--n", "9"]) == 0
    png = capsys.readouterr().out.strip().splitlines()[-1]
    assert Image.open(png).size[0] > 16
    # An existing file is never overwritten.
    assert main(["sample", str(run_dir), "--out", str(npz)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_second_run_gets_a_new_folder_and_resume_continues_the_newest(tmp_path, capsys):
    out = tmp_path / "runs"
    main(["train", *TINY_DIGITS, "--out", str(out)])
    main(["train", *TINY_DIGITS, "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == ["00000-dcgan_digits", "00001-dcgan_digits"]
    capsys.readouterr()
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "train.steps=6"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith("00001-dcgan_digits")
    steps = [json.loads(line)["step"] for line in (out / "00001-dcgan_digits/stats.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6]
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "model.width=8"]) == 2
    assert "cannot change when resuming" in capsys.readouterr().err


def test_bad_data_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "idx"
    bad.mkdir()
    (bad / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x10" + b"\x00" * 20)
    proc = subprocess.run([sys.executable, "-m", "gankit", "train", "mlp_mnist", "--out", str(tmp_path / "r"),
                           "--set", "data.name=idx", "--set", f"data.path={bad}"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "train-images-idx3-ubyte" in proc.stderr


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cond")
    assert main(["train"] + TINY_DIGITS + ["--out", str(out), "--set", "objective=conditional",
                                           "model.cond=projection", "data.resolution=8"]) == 0
    return next(out.iterdir())


def test_sample_by_label_writes_grids_one_row_per_class_and_npz_with_labels(conditional_run, tmp_path, capsys):
    assert main(["sample", str(conditional_run), "--out", str(tmp_path / "all.png")]) == 0
    width, height = Image.open(tmp_path / "all.png").size
    assert height > width  # 10 rows (one per digit) of 8
    assert main(["sample", str(conditional_run), "--label", "3", "--n", "5", "--out", str(tmp_path / "a.npz")]) == 0
    saved = np.load(tmp_path / "a.npz")
    assert saved["images"].shape == (5, 8, 8, 1) and saved["labels"].tolist() == [3] * 5
    assert main(["sample", str(conditional_run), "--labels", "7,0", "--n", "4", "--out", str(tmp_path / "b.npz")]) == 0
    assert np.load(tmp_path / "b.npz")["labels"].tolist() == [7, 7, 0, 0]


@pytest.mark.parametrize("args, words", [
    (["--label", "10"], "label '10' is not one of this run's 10 classes"),
    (["--label", "sneaker"], "label 'sneaker' is not one of this run's 10 classes"),
    (["--label", "1", "--labels", "2,3"], "give --label or --labels, not both"),
])
def test_bad_labels_are_one_sentence(conditional_run, args, words, capsys):
    assert main(["sample", str(conditional_run)] + args) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_asking_an_unconditional_run_for_labels_is_one_sentence(tmp_path, capsys):
    assert main(["train"] + TINY_DIGITS + ["--out", str(tmp_path)]) == 0
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert main(["sample", str(run), "--label", "3"]) == 2
    assert "--label/--labels is for conditional and stargan runs; " in capsys.readouterr().err


def test_eval_of_a_conditional_run_scores_each_class(conditional_run, tmp_path, capsys):
    assert main(["eval", str(conditional_run), "--n", "200"]) == 0
    out = capsys.readouterr().out
    assert "intra_fid " in out and "gan_test " in out and "gan_test[9]" in out and "fid " in out
    metrics = json.loads((conditional_run / "metrics.json").read_text())
    assert len(metrics["gan_test_per_class"]) == 10 and 0 <= metrics["gan_test"] <= 1
    assert main(["sample", str(conditional_run), "--n", "100", "--out", str(tmp_path / "s.npz")]) == 0
    capsys.readouterr()
    assert main(["eval", "--samples", str(tmp_path / "s.npz"), "--data", "digits",
                 "--metrics", "gan_test"]) == 0
    assert "gan_test[0]" in capsys.readouterr().out


def test_conditional_metrics_of_an_unconditional_run_are_one_sentence(tmp_path, capsys):
    assert main(["train"] + TINY_DIGITS + ["--out", str(tmp_path)]) == 0
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert main(["eval", str(run), "--n", "50", "--metrics", "cas"]) == 2
    assert "metric 'cas' does not apply to this objective=gan run on data.name=digits" in capsys.readouterr().err


def test_nothing_a_user_has_is_overwritten_or_lost(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", *TINY_DIGITS, "--out", str(out)]) == 0
    run_dir = out / "00000-dcgan_digits"
    # sample --out keep.NPZ writes exactly that file and never a second one beside it
    keep = tmp_path / "keep.NPZ"
    (tmp_path / "keep.NPZ.npz").write_text("mine")
    assert main(["sample", str(run_dir), "--n", "4", "--out", str(keep)]) == 0
    assert np.load(keep)["images"].shape[0] == 4 and (tmp_path / "keep.NPZ.npz").read_text() == "mine"
    # eval --out refuses an existing file before doing any work
    np.savez(tmp_path / "s.npz", images=np.load(keep)["images"])
    (tmp_path / "m.json").write_text("mine")
    assert main(["eval", "--samples", str(tmp_path / "s.npz"), "--data", "digits", "--metrics", "fid",
                 "--out", str(tmp_path / "m.json")]) == 2
    assert "m.json already exists" in capsys.readouterr().err and (tmp_path / "m.json").read_text() == "mine"
    # resuming to fewer steps than the run has done is refused, and config.yaml keeps its steps
    config = (run_dir / "config.yaml").read_text()
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "train.steps=2"]) == 2
    assert "already at step 4, past train.steps=2" in capsys.readouterr().err
    assert (run_dir / "config.yaml").read_text() == config
    # a later run that failed before its first checkpoint is passed over by --resume
    (out / "00001-dcgan_digits").mkdir()
    (out / "00001-dcgan_digits" / "config.yaml").write_text(config)
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "train.steps=6"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith("00000-dcgan_digits")


@pytest.mark.parametrize("content, words", [("[1, 2]", "holds a JSON list, not a gankit checkpoint's object"),
                                            ('{"format": "gankit-checkpoint-v1"}', "lacks its 'tensors' entry")])
def test_a_damaged_checkpoint_json_is_one_sentence(tmp_path, capsys, content, words):
    out = tmp_path / "runs"
    assert main(["train", *TINY_DIGITS, "--out", str(out)]) == 0
    every = sorted((out / "00000-dcgan_digits" / "checkpoints").glob("ckpt-*.json"))
    fmt = json.loads(every[-1].read_text())["format"]
    for path in every:  # all of them: a damaged newest one alone falls back to the one before
        path.write_text(content.replace("gankit-checkpoint-v1", fmt))
    capsys.readouterr()
    assert main(["sample", str(out / "00000-dcgan_digits")]) == 2
    assert words in capsys.readouterr().err


def test_resume_checks_what_it_would_rewrite_and_what_the_checkpoint_says(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", *TINY_DIGITS, "--out", str(out)]) == 0
    run_dir = out / "00000-dcgan_digits"
    # the seed the run already has is no change
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "train.seed=0", "train.steps=5"]) == 0
    # config.yaml edited since the checkpoint: the key and both values
    config = (run_dir / "config.yaml").read_text()
    (run_dir / "config.yaml").write_text(config.replace("width: 4", "width: 8"))
    capsys.readouterr()
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "train.steps=6"]) == 2
    assert "says model.width=8 but the checkpoint was trained with 4" in capsys.readouterr().err
    (run_dir / "config.yaml").write_text(config)
    # a damaged log: one sentence, and config.yaml untouched
    (run_dir / "stats.jsonl").write_text('{"step": 2}\n{bad\n')
    assert main(["train", "dcgan_digits", "--out", str(out), "--resume", "--set", "train.steps=7"]) == 2
    assert "stats.jsonl line 2 is damaged" in capsys.readouterr().err
    assert (run_dir / "config.yaml").read_text() == config


def test_unusable_output_places_are_one_sentence(tmp_path, capsys, monkeypatch):
    (tmp_path / "afile").write_text("x")
    assert main(["train", *TINY_DIGITS, "--out", str(tmp_path / "afile" / "runs")]) == 2
    assert "cannot be made a folder" in capsys.readouterr().err
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "afile"))
    np.savez(tmp_path / "s.npz", images=np.zeros((4, 8, 8, 1), np.uint8))
    assert main(["eval", "--samples", str(tmp_path / "s.npz"), "--data", "digits", "--metrics", "fid"]) == 2
    assert "the feature cache" in capsys.readouterr().err


def test_a_data_file_that_says_it_holds_no_images_is_one_sentence(tmp_path, capsys):
    import struct
    (tmp_path / "train-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, 0, 28, 28))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, 0))
    assert main(["train", "mlp_mnist", "--out", str(tmp_path / "r"), "--set", "data.name=idx",
                 f"data.path={tmp_path}"]) == 2
    assert "holds no examples in its train split" in capsys.readouterr().err


def test_running_out_of_memory_is_one_sentence_naming_the_batch_size(tmp_path, capsys, monkeypatch):
    import gankit.api

    def exhausted(*args, **kwargs):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: "
                           "you tried to allocate 98304000000 bytes.")

    monkeypatch.setattr(gankit.api, "train_run", exhausted)
    assert main(["train", *TINY_DIGITS, "--out", str(tmp_path), "--set", "train.batch_size=100000000"]) == 2
    err = capsys.readouterr().err
    assert "ran out of memory at train.batch_size=100000000" in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())  # the empty run folder is gone
