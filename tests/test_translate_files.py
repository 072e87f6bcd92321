"""`gankit translate`: a trained translation run applied to the user's own image files."""

import numpy as np
import pytest
from PIL import Image

from gankit import api
from gankit.cli import main
from gankit.errors import GankitError
from gankit.translate_files import translate_files
from tests.conftest import FAMILY_CONFIGS


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    return {family: api.train(FAMILY_CONFIGS[family](steps=2), out=out / family)
            for family in ("pix2pix", "cyclegan", "stargan", "gan")}


def user_images(folder, n=3, size=20, mode="RGB"):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        shape = (size, size, 3) if mode == "RGB" else (size, size)
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(folder / f"garment{i}.png")
    return folder


def test_a_folder_is_converted_translated_and_written_under_its_names(runs, tmp_path):
    inputs = user_images(tmp_path / "in")  # RGB 20 x 20: the run trained on grey 16 x 16
    written = translate_files(runs["pix2pix"], inputs, out=tmp_path / "out")
    assert [p.name for p in written] == ["garment0.png", "garment1.png", "garment2.png"]
    with Image.open(written[0]) as img:
        assert img.mode == "L" and img.size == (16, 16)


def test_nothing_is_overwritten_and_nothing_is_half_written(runs, tmp_path):
    inputs = user_images(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    (out / "garment1.png").write_bytes(b"mine")
    with pytest.raises(GankitError, match="garment1.png already exists; gankit never overwrites"):
        translate_files(runs["pix2pix"], inputs, out=out)
    assert sorted(p.name for p in out.iterdir()) == ["garment1.png"] and (out / "garment1.png").read_bytes() == b"mine"


def test_a_bad_file_is_one_sentence_and_nothing_is_written(runs, tmp_path):
    inputs = user_images(tmp_path / "in")
    (inputs / "broken.png").write_bytes(b"not a png")
    assert main(["translate", str(runs["pix2pix"]), "--input", str(inputs), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_the_default_output_folder_is_new_inside_the_run(runs, tmp_path, capsys):
    inputs = user_images(tmp_path / "in", n=1, mode="L")
    assert main(["translate", str(runs["pix2pix"]), "--input", str(inputs / "garment0.png")]) == 0
    assert main(["translate", str(runs["pix2pix"]), "--input", str(inputs / "garment0.png")]) == 0
    folders = sorted(p.name for p in runs["pix2pix"].glob("translations-*"))
    assert len(folders) >= 2 and "1 translation in" in capsys.readouterr().out


def test_cyclegan_translates_both_ways(runs, tmp_path):
    inputs = user_images(tmp_path / "in", n=2)
    ab = translate_files(runs["cyclegan"], inputs, out=tmp_path / "ab")
    ba = translate_files(runs["cyclegan"], inputs, out=tmp_path / "ba", direction="BtoA")
    read = lambda p: np.asarray(Image.open(p))  # noqa: E731
    assert not np.array_equal(read(ab[0]), read(ba[0]))


def test_stargan_takes_a_target_domain_by_name(runs, tmp_path):
    inputs = user_images(tmp_path / "in", n=2)
    boots = translate_files(runs["stargan"], inputs, out=tmp_path / "boots", target="ankle boot")
    sandals = translate_files(runs["stargan"], inputs, out=tmp_path / "sandals", target="0")
    assert len(boots) == len(sandals) == 2
    with pytest.raises(GankitError, match="needs --target: one of its domains \\(sandal, sneaker, ankle boot\\)"):
        translate_files(runs["stargan"], inputs, out=tmp_path / "x")
    with pytest.raises(GankitError, match="label 'bag' is not one of this run's 3 classes"):
        translate_files(runs["stargan"], inputs, out=tmp_path / "x", target="bag")


@pytest.mark.parametrize("family, kwargs, message", [
    ("gan", {}, "is an objective=gan run; gankit translate needs a run of pix2pix, cyclegan, stargan"),
    ("pix2pix", {"direction": "BtoA"}, "--direction is for cyclegan runs; .* is an objective=pix2pix run: drop it"),
    ("cyclegan", {"target": "sneaker"}, "--target is for stargan runs"),
])
def test_options_that_do_not_fit_the_run_are_one_sentence(runs, tmp_path, family, kwargs, message):
    inputs = user_images(tmp_path / "in", n=1)
    with pytest.raises(GankitError, match=message):
        translate_files(runs[family], inputs, out=tmp_path / "out", **kwargs)


def test_an_input_that_is_not_an_image_is_refused(runs, tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(GankitError, match="is not a PNG or JPEG file"):
        translate_files(runs["pix2pix"], tmp_path / "notes.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GankitError, match="holds no PNG or JPEG files"):
        translate_files(runs["pix2pix"], tmp_path / "empty")
