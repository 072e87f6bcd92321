"""The bad-input corpus: each case is one sentence on stderr, exit code 2, no traceback, and nothing the user had
changed. Cases are (name, setup, argv): setup(folder) writes the damaged files into a fresh folder that already
holds a trained run (`run/`), a conditional run (`crun/`), a pix2pix run (`prun/`) and a text run (`trun/`); argv
may name files there
through "{d}"."""

import hashlib
import json
import shutil
import struct

import numpy as np
import pytest

from gankit import api
from gankit.cli import main
from tests.conftest import FAMILY_CONFIGS, tiny_conditional_config, tiny_image_config

TRAIN = ["train", "dcgan_digits", "--out", "{d}/runs", "--set", "train.steps=1", "train.progress=false"]
TRAIN_SR = TRAIN + ["objective=srgan", "model.name=srgan", "data.name=sr_folder", "data.scale=2", "data.resolution=null"]
TRAIN_TEXT = ["train", "mle_text", "--out", "{d}/runs", "--set", "train.steps=1", "train.progress=false"]


def text(name, content):
    return lambda d: (d / name).write_text(content)


def manifest(content):
    """A stopped reproduction's folder st/ whose reproduction.json holds `content`."""
    return lambda d: ((d / "st").mkdir(), (d / "st" / "reproduction.json").write_text(content))


def raw(name, content):
    return lambda d: (d / name).write_bytes(content)


def npz(name, **arrays):
    return lambda d: np.savez(d / name, **arrays)


def idx_files(count=0, magic=2051, rows=28, cut=False):
    def setup(d):
        (d / "idx").mkdir()
        body = struct.pack(">IIII", magic, count, rows, rows) + bytes(count * rows * rows)
        (d / "idx" / "train-images-idx3-ubyte").write_bytes(body[:-5] if cut else body)
        (d / "idx" / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, count) + bytes(count))
    return setup


def images(folder, sizes, bad=None):
    def setup(d):
        from PIL import Image
        (d / folder).mkdir(parents=True, exist_ok=True)
        for i, size in enumerate(sizes):
            Image.new("L", size).save(d / folder / f"im{i}.png")
        if bad:
            (d / folder / bad).write_bytes(b"not an image")
    return setup


def edit_json(path, change):
    def setup(d):
        target = d / path.format(d=d)
        target.write_text(change(target.read_text()))
    return setup


def newest(run):
    return lambda d: sorted((d / run / "checkpoints").glob("ckpt-*.json"))[-1]


def damage_newest(run, content):
    return lambda d: [p.write_text(content) for p in (d / run / "checkpoints").glob("ckpt-*.json")]


def cut_tensors(run):
    return lambda d: [p.write_bytes(b"cut") for p in (d / run / "checkpoints").glob("ckpt-*.safetensors")]


CASES = [
    # values
    *[(f"value {o}", None, TRAIN + [o]) for o in (
        "train.ema=nan", "model.dropout=nan", "g_optim.lr=nan", "g_optim.lr=inf", "d_optim.lr=-1", "train.ema=1.5",
        "g_optim.betas=[1.5,0.9]", "g_optim.betas=[0.5]", "d_optim.momentum=-0.5", "model.g_hidden=[-3]",
        "loss.gp_weight=-1", "train.seed=99999999999999999999999", "train.seed=-1", "train.batch_size=0",
        "train.steps=-5", "train.n_critic=0", "model.z_dim=0", "model.width=abc", "train.device=gpu",
        "loss.name=wgan", "loss.penalty=gp2", "model.d_norm=group", "data.split=valid", "data.channels=2",
        "train.precision=fp8", "modle.width=8", "train.stepz=3", "objective=unknown", "train.compile_mode=fast",
        "data.path=/tmp", "g_optim.linear_decay=[5,1]", "model.cond=projection", "loss.divergence=kl",
        "loss.l1_weight=5", "train.pool_size=10", "data.direction=BtoA", "g_optim.final_momentum=0.7",
        "pix2pix.l1_weight=5", "cyclegan.pool_size=-1", "conditional.cond=film", "conditional=3",
        "conditional.nope=1", "train.dist_timeout=0", "train.sync_bn=maybe", "data.per_class=0", "data.seed=-1")],
    # a family's own keys
    ("family key before its objective", None, TRAIN + ["conditional.cond=acgan", "objective=conditional"]),
    ("family key out of bounds", None, TRAIN + ["objective=cyclegan", "cyclegan.pool_size=-1"]),
    ("family key another family's", None, TRAIN + ["objective=pix2pix", "model.name=pix2pix",
                                                   "data.name=edges2fashion", "stargan.rec_weight=3"]),
    ("yaml family section of another objective", text("c.yaml", "objective: gan\npix2pix: {l1_weight: 3}\n"),
     ["train", "{d}/c.yaml"]),
    ("yaml old key of another family", text("c.yaml", "objective: gan\ntrain: {pool_size: 3}\n"),
     ["train", "{d}/c.yaml"]),
    # config files
    ("yaml not utf-8", raw("c.yaml", b"\xff\xfe\x00bad: [\n"), ["train", "{d}/c.yaml"]),
    ("yaml python tag", text("c.yaml", "x: !!python/object/apply:os.system [ls]\n"), ["train", "{d}/c.yaml"]),
    ("yaml duplicate key", text("c.yaml", "data: {name: digits}\ndata: {name: ring8}\n"), ["train", "{d}/c.yaml"]),
    ("yaml empty", text("c.yaml", ""), ["train", "{d}/c.yaml"]),
    ("yaml broken", text("c.yaml", "data: [\n"), ["train", "{d}/c.yaml"]),
    ("yaml a list", text("c.yaml", "- 1\n- 2\n"), ["train", "{d}/c.yaml"]),
    ("yaml unknown section", text("c.yaml", "trian: {steps: 3}\n"), ["train", "{d}/c.yaml"]),
    ("recipe missing", None, ["train", "no_such_recipe"]),
    # data
    ("idx zero images", idx_files(0), TRAIN + ["data.name=idx", "data.path={d}/idx"]),
    ("idx bad magic", idx_files(3, magic=1234), TRAIN + ["data.name=idx", "data.path={d}/idx"]),
    ("idx truncated", idx_files(3, cut=True), TRAIN + ["data.name=idx", "data.path={d}/idx"]),
    ("idx folder missing", None, TRAIN + ["data.name=idx", "data.path={d}/nothing"]),
    ("folder empty", lambda d: (d / "empty").mkdir(), TRAIN + ["data.name=folder", "data.path={d}/empty"]),
    ("folder mixed sizes", images("imgs", [(8, 8), (10, 10)]), TRAIN + ["data.name=folder", "data.path={d}/imgs",
                                                                        "data.resolution=null"]),
    ("folder bad image", images("imgs", [(8, 8)], bad="x.png"), TRAIN + ["data.name=folder", "data.path={d}/imgs"]),
    ("paired data for gan", None, TRAIN + ["data.name=edges2fashion"]),
    ("pix2pix on images", None, TRAIN + ["objective=pix2pix", "model.name=pix2pix"]),
    ("paired folder odd", images("pairs/train", [(7, 3)]), TRAIN + ["objective=pix2pix", "model.name=pix2pix",
                                                                     "data.name=paired_folder", "data.path={d}/pairs"]),
    ("per_class of toy data", None, TRAIN + ["data.name=ring8", "model.name=mlp", "data.per_class=5"]),
    ("per_class above a class's size", None, TRAIN + ["data.per_class=100000"]),
    ("augment of toy data", None, TRAIN + ["data.name=ring8", "model.name=mlp", "train.augment=diffaug"]),
    ("augment of a text family", None, TRAIN + ["objective=mle", "data.name=oracle", "model.name=lstm",
                                                "train.augment=ada"]),
    ("augment policy unknown", None, TRAIN + ["train.augment=diffaug", "train.augment_policy=color,blur"]),
    ("ada key without ada", None, TRAIN + ["train.ada_target=0.8"]),
    ("ada target out of bounds", None, TRAIN + ["train.augment=ada", "train.ada_target=1.5"]),
    ("augment unknown", None, TRAIN + ["train.augment=mixup"]),
    ("stylegan2 at a size that does not halve to 4-7", None, TRAIN + ["model.name=stylegan2", "data.resolution=18"]),
    ("style mixing above 1", None, TRAIN + ["model.name=stylegan2", "model.style_mixing=1.5"]),
    ("mapping key without stylegan2", None, TRAIN + ["model.mapping_layers=4"]),
    ("mbstd group without the stylegan2 D", None, TRAIN + ["model.mbstd_group=32"]),
    ("mbstd group of 0", None, TRAIN + ["model.name=stylegan2", "model.mbstd_group=0"]),
    ("bCR on toy data", None, TRAIN + ["data.name=ring8", "model.name=mlp", "loss.bcr_weight=10"]),
    ("bCR on text", None, TRAIN_TEXT + ["loss.bcr_weight=10"]),
    ("negative bCR weight", None, TRAIN + ["loss.bcr_weight=-1"]),
    ("lazy r1 without r1", None, TRAIN + ["loss.r1_every=16"]),
    ("path length without stylegan2", None, TRAIN + ["loss.pl_weight=2"]),
    ("conditional unlabelled", None, TRAIN + ["objective=conditional", "data.name=gaussian1d", "model.name=mlp"]),
    # runs and checkpoints
    ("sample no run", None, ["sample", "{d}/nothing"]),
    ("sample not a run", lambda d: (d / "plain").mkdir(), ["sample", "{d}/plain"]),
    ("checkpoint json a list", damage_newest("run", "[1, 2]"), ["sample", "{d}/run"]),
    ("checkpoint json lacks keys", damage_newest("run", '{"format": "gankit-checkpoint-v1"}'), ["sample", "{d}/run"]),
    ("checkpoint json not json", damage_newest("run", "{"), ["sample", "{d}/run"]),
    ("checkpoint tensors cut", cut_tensors("run"), ["sample", "{d}/run"]),
    ("checkpoint step unknown", None, ["sample", "{d}/run", "--checkpoint", "000777"]),
    ("truncation above 1", None, ["sample", "{d}/run", "--truncation", "2"]),
    ("truncation not a number", None, ["sample", "{d}/run", "--truncation", "half"]),
    ("walk of no frames", None, ["sample", "{d}/run", "--walk", "0"]),
    ("style mix of a dcgan", None, ["sample", "{d}/run", "--style-mix", "2"]),
    ("walk and style mix", None, ["sample", "{d}/run", "--walk", "4", "--style-mix", "2"]),
    ("style mix of several classes", None, ["sample", "{d}/crun", "--style-mix", "2", "--labels", "0,1"]),
    ("style mix of a conditional dcgan", None, ["sample", "{d}/crun", "--style-mix", "2"]),
    ("checkpoint step unpadded unknown", None, ["sample", "{d}/run", "--checkpoint", "777"]),
    ("checkpoint step words", None, ["eval", "{d}/run", "--checkpoint", "last"]),
    ("checkpoint best missing", None, ["sample", "{d}/run", "--checkpoint", "best"]),
    ("resume changes a key", None, ["train", "x", "--resume", "{d}/run", "--set", "model.width=8"]),
    ("resume fewer steps", None, ["train", "x", "--resume", "{d}/run", "--set", "train.steps=1"]),
    ("resume config edited", edit_json("run/config.yaml", lambda t: t.replace("width: 4", "width: 8")),
     ["train", "x", "--resume", "{d}/run", "--set", "train.steps=9"]),
    ("resume stats damaged", text("run/stats.jsonl", "{bad\n"), ["train", "x", "--resume", "{d}/run",
                                                                   "--set", "train.steps=9"]),
    ("resume nothing to resume", None, ["train", "dcgan_digits", "--out", "{d}/empty_runs", "--resume"]),
    # outputs
    ("train out under a file", text("afile", "x"), ["train", "dcgan_digits", "--out", "{d}/afile/runs"]),
    ("train out is a file", text("afile", "x"), ["train", "dcgan_digits", "--out", "{d}/afile"]),
    ("sample out exists", text("keep.png", "mine"), ["sample", "{d}/run", "--out", "{d}/keep.png"]),
    ("sample out suffix", None, ["sample", "{d}/run", "--out", "{d}/x.jpg"]),
    ("sample out suffix of another family", None, ["sample", "{d}/run", "--out", "{d}/x.txt"]),
    ("sample direction on a gan run", None, ["sample", "{d}/run", "--direction", "BtoA"]),
    ("sample labels one out of range", None, ["sample", "{d}/crun", "--n", "4", "--labels", "1,99"]),
    ("sample n zero", None, ["sample", "{d}/run", "--n", "0"]),
    ("eval out exists", text("m.json", "mine"), ["eval", "--samples", "{d}/x.npz", "--data", "digits",
                                                  "--out", "{d}/m.json"]),
    ("eval n one", None, ["eval", "{d}/run", "--n", "1"]),
    # foreign samples
    ("samples missing", None, ["eval", "--samples", "{d}/none.npz", "--data", "digits"]),
    ("samples truncated", raw("t.npz", b"PK\x03\x04garbage"), ["eval", "--samples", "{d}/t.npz", "--data", "digits"]),
    ("samples not an archive", text("t.npz", "hello"), ["eval", "--samples", "{d}/t.npz", "--data", "digits"]),
    ("samples strings", npz("t.npz", images=np.array(["a", "b"])), ["eval", "--samples", "{d}/t.npz", "--data", "digits"]),
    ("samples infinite", npz("t.npz", samples=np.full((4, 2), np.inf)), ["eval", "--samples", "{d}/t.npz",
                                                                          "--data", "ring8"]),
    ("samples no images key", npz("t.npz", other=np.zeros(3)), ["eval", "--samples", "{d}/t.npz", "--data", "digits"]),
    ("samples wrong size", npz("t.npz", images=np.zeros((4, 9, 9, 1), np.uint8)),
     ["eval", "--samples", "{d}/t.npz", "--data", "digits", "--metrics", "fid"]),
    ("samples five channels", npz("t.npz", images=np.zeros((4, 8, 8, 5), np.uint8)),
     ["eval", "--samples", "{d}/t.npz", "--data", "digits"]),
    ("samples without data", npz("t.npz", images=np.zeros((4, 8, 8, 1), np.uint8)), ["eval", "--samples", "{d}/t.npz"]),
    ("metric unknown", None, ["eval", "{d}/run", "--metrics", "fid,nope", "--n", "20"]),
    ("conditional metric unconditional run", None, ["eval", "{d}/run", "--metrics", "gan_test", "--n", "20"]),
    # labels, translate, reproduce
    ("label on unconditional run", None, ["sample", "{d}/run", "--label", "3"]),
    ("label unknown", None, ["sample", "{d}/crun", "--label", "zebra"]),
    ("label out of range", None, ["sample", "{d}/crun", "--label", "12"]),
    ("label and labels", None, ["sample", "{d}/crun", "--label", "1", "--labels", "1,2"]),
    ("translate a gan run", images("in", [(8, 8)]), ["translate", "{d}/run", "--input", "{d}/in"]),
    ("translate missing input", None, ["translate", "{d}/prun", "--input", "{d}/none"]),
    ("translate bad file", images("in", [(8, 8)], bad="y.png"), ["translate", "{d}/prun", "--input", "{d}/in",
                                                                  "--out", "{d}/o"]),
    ("translate existing output", lambda d: (images("in", [(8, 8)])(d), (d / "o").mkdir(),
                                             (d / "o" / "im0.png").write_text("mine")),
     ["translate", "{d}/prun", "--input", "{d}/in", "--out", "{d}/o"]),
    ("translate target on pix2pix", images("in", [(8, 8)]), ["translate", "{d}/prun", "--input", "{d}/in",
                                                             "--target", "1"]),
    ("translate direction on pix2pix", images("in", [(8, 8)]), ["translate", "{d}/prun", "--input", "{d}/in",
                                                                "--direction", "BtoA"]),
    ("translate a conditional run", images("in", [(8, 8)]), ["translate", "{d}/crun", "--input", "{d}/in"]),
    ("eval metrics of a pix2pix run", None, ["eval", "{d}/prun", "--metrics", "fid", "--n", "4"]),
    # text
    *[(f"text {name}", raw("t.txt", content), TRAIN_TEXT + ["data.path={d}/t.txt"] + extra) for name, content, extra in (
        ("empty file", b"", []), ("not utf-8", b"caf\xe9 noir\n", []),
        ("every line too long", b"a b c d e f\n" * 5, ["data.max_length=3"]),
        ("one token", b"same same\n" * 12, []))],
    ("text no path", None, TRAIN_TEXT),
    ("text folder without train.txt", lambda d: (d / "corpus").mkdir(), TRAIN_TEXT + ["data.path={d}/corpus"]),
    ("wordnet missing", lambda d: (d / "wn").mkdir(), ["train", "mle_wordnet", "--out", "{d}/runs", "--set",
                                                       "data.path={d}/wn", "train.steps=1"]),
    ("text tokenizer unknown", None, TRAIN_TEXT + ["data.tokenizer=bpe", "data.path={d}/x.txt"]),
    ("text max length zero", None, TRAIN_TEXT + ["data.max_length=0", "data.path={d}/x.txt"]),
    ("text key on images", None, TRAIN + ["data.tokenizer=char"]),
    ("mle on images", None, TRAIN + ["objective=mle"]),
    ("mle with an image generator", text("x.txt", "a b\nb c\n"), TRAIN_TEXT + ["data.path={d}/x.txt",
                                                                           "model.name=dcgan"]),
    ("sample text as png", None, ["sample", "{d}/trun", "--out", "{d}/x.png"]),
    ("sample temperature negative", None, ["sample", "{d}/trun", "--temperature", "-1"]),
    ("sample temperature words", None, ["sample", "{d}/trun", "--temperature", "warm"]),
    ("sample labels of a text run", None, ["sample", "{d}/trun", "--labels", "1"]),
    ("sample temperature of an image run", None, ["sample", "{d}/run", "--temperature", "0.5"]),
    ("reproduce unknown", None, ["reproduce", "nope"]),
    ("export format unknown", None, ["export", "{d}/run", "--format", "tflite"]),
    ("export out exists", text("g.onnx", "mine"), ["export", "{d}/run", "--format", "onnx", "--out", "{d}/g.onnx"]),
    ("export out json exists", text("g.onnx.json", "mine"), ["export", "{d}/run", "--format", "onnx", "--out",
                                                             "{d}/g.onnx"]),
    ("export out suffix", None, ["export", "{d}/run", "--format", "onnx", "--out", "{d}/g.pt"]),
    ("export text to onnx", None, ["export", "{d}/trun", "--format", "onnx"]),
    ("export direction of a gan run", None, ["export", "{d}/run", "--format", "onnx", "--direction", "BtoA"]),
    ("export no run", None, ["export", "{d}/nothing", "--format", "onnx"]),
    ("report folder without runs", lambda d: (d / "empty").mkdir(), ["report", "{d}/empty"]),
    ("report no such folder", None, ["report", "{d}/nothing"]),
    ("report out exists", text("r.html", "mine"), ["report", "{d}/run", "--out", "{d}/r.html"]),
    ("report a file, not a run", None, ["report", "{d}/x.npz"]),
    ("reproduce data not taken", lambda d: (d / "mn").mkdir(), ["reproduce", "fig1", "--data", "{d}/mn"]),
    ("reproduce resume with none stopped", None, ["reproduce", "seqgan", "--out", "{d}/repro", "--resume"]),
    ("reproduce resume a folder of no reproduction", None, ["reproduce", "seqgan", "--resume", "{d}/run"]),
    ("reproduce resume a missing folder", None, ["reproduce", "seqgan", "--resume", "{d}/nothing"]),
    ("reproduce resume a damaged manifest", manifest("{"), ["reproduce", "seqgan", "--resume",
                                                                               "{d}/st"]),
    ("reproduce resume another experiment", manifest('{"experiment": "fig1", "scale": "tiny"}'),
     ["reproduce", "seqgan", "--resume", "{d}/st"]),
    ("reproduce resume at another scale", manifest('{"experiment": "seqgan", "scale": "tiny"}'),
     ["reproduce", "seqgan", "--full", "--resume", "{d}/st"]),
    ("reproduce only on a whole experiment", None, ["reproduce", "fig1", "--only", "fig1.*"]),
    ("reproduce only matching nothing", None, ["reproduce", "low-data", "--out", "{d}/repro", "--only",
                                               "stylegan3.*"]),
    ("reproduce resume with other runs", manifest('{"experiment": "low-data", "scale": "tiny", "only": "dcgan.*"}'),
     ["reproduce", "low-data", "--only", "stylegan2.*", "--resume", "{d}/st"]),
    # super-resolution
    ("sr folder partner missing", lambda d: (images("sr/hr", [(8, 8), (8, 8)])(d), images("sr/lr", [(4, 4)])(d)),
     TRAIN_SR + ["data.path={d}/sr"]),
    ("sr folder mixed sizes", images("sr/train", [(8, 8), (12, 12)]), TRAIN_SR + ["data.path={d}/sr"]),
    ("sr folder hr not scale x lr", lambda d: (images("sr/hr", [(8, 8)])(d), images("sr/lr", [(3, 3)])(d)),
     TRAIN_SR + ["data.path={d}/sr"]),
    ("sr folder size not a multiple of scale", images("sr/train", [(10, 10)]), TRAIN_SR + ["data.path={d}/sr",
                                                                                           "data.scale=4"]),
    ("sr scale of one", None, TRAIN_SR + ["data.name=fashion_sr", "data.scale=1"]),
    ("sr scale five", None, TRAIN_SR + ["data.name=fashion_sr", "data.scale=5"]),
    ("sr scale on images", None, TRAIN + ["data.scale=2"]),
    ("srgan on images", None, TRAIN + ["objective=srgan", "model.name=srgan"]),
    ("srgan with a dcgan generator", None, TRAIN_SR + ["data.name=fashion_sr", "model.name=dcgan"]),
    ("srgan feature loss on rgb without vgg", images("sr/train", [(8, 8)]), TRAIN_SR + ["data.path={d}/sr",
                                                                                        "data.channels=3",
                                                                                        "srgan.feature_weight=1"]),
    ("srgan vgg weights missing", None, TRAIN_SR + ["data.name=fashion_sr", "srgan.feature_weight=1",
                                                    "srgan.vgg_weights={d}/vgg.pth"]),
    ("srgan vgg weights not a vgg", npz("vgg.npz", a=np.zeros(2)), TRAIN_SR + [
        "data.name=fashion_sr", "srgan.feature_weight=1", "srgan.feature_net=vgg19", "srgan.vgg_weights={d}/vgg.npz"]),
    ("init_from not a run", None, TRAIN + ["model.init_from={d}/nothing"]),
    ("init_from another model", None, TRAIN + ["model.init_from={d}/prun"]),
    ("interpolate alpha above 1", None, ["interpolate", "{d}/run", "{d}/run", "--alpha", "1.5"]),
    ("interpolate alpha words", None, ["interpolate", "{d}/run", "{d}/run", "--alpha", "half"]),
    ("interpolate two tasks", None, ["interpolate", "{d}/run", "{d}/prun", "--alpha", "0.5"]),
    ("interpolate no run", None, ["interpolate", "{d}/run", "{d}/nothing", "--alpha", "0.5"]),
    # next-frame prediction (the nextframe_fork recipe: fork at 16 px, 3 + 3 frames)
    ("nextframe on images", None, TRAIN + ["objective=nextframe"]),
    *[(f"nextframe {name}", None, ["train", "nextframe_fork", "--out", "{d}/runs", "--set", "train.steps=1",
                                   "train.progress=false", *sets]) for name, sets in (
        ("frames_in of 0", ["data.frames_in=0"]),
        ("fork that does not fit", ["data.frames_out=10"]),
        ("objects on fork data", ["data.objects=3"]),
        ("train_frames beyond the future", ["nextframe.train_frames=5"]),
        ("scales too small for D", ["nextframe.scales=3"]),
        ("diversity without noise", ["nextframe.noise=0"]),
        ("another generator", ["model.name=pix2pix"]),
        ("distance unknown", ["nextframe.distance=l3"]),
        ("resolution D cannot read", ["data.resolution=24"]))],
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    base = tmp_path_factory.mktemp("trained")
    runs = {"run": tiny_image_config(steps=2, checkpoint_every=1), "crun": tiny_conditional_config(steps=1),
            "prun": FAMILY_CONFIGS["pix2pix"](steps=1), "trun": FAMILY_CONFIGS["mle"](steps=1)}
    for name, cfg in runs.items():
        shutil.move(api.train(cfg, out=base / name), base / f"{name}-done")
    return base


def snapshot(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("env", [{"WORLD_SIZE": "2", "RANK": "5"}, {"WORLD_SIZE": "two", "RANK": "0"}])
def test_a_broken_torchrun_environment_is_one_sentence(tmp_path, capsys, monkeypatch, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = main([a.format(d=tmp_path) for a in TRAIN])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "WORLD_SIZE" in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60 and len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("name, setup, argv", CASES, ids=[c[0] for c in CASES])
def test_a_bad_input_is_one_sentence_and_changes_nothing(trained, tmp_path, capsys, name, setup, argv):
    for run in ("run", "crun", "prun", "trun"):
        shutil.copytree(trained / f"{run}-done", tmp_path / run)
    np.savez(tmp_path / "x.npz", images=np.zeros((4, 8, 8, 1), np.uint8))
    if setup is not None:
        setup(tmp_path)
    before = snapshot(tmp_path)
    capsys.readouterr()
    try:
        code = main([a.format(d=tmp_path) for a in argv])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "Traceback" not in err and 1 <= len(err.splitlines()) <= 4, err
    after = snapshot(tmp_path)
    changed = [str(p) for p, digest in before.items() if after.get(p) != digest]
    assert not changed, f"changed or removed: {changed}"
    json.dumps(err)  # plain text
