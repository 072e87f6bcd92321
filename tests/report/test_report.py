"""`gankit report`: one self-contained page of several runs (config differences highlighted, metrics, curves on
shared axes, pictures, sentences), an index of a folder of runs, report.html at the end of training, and the
page rendered in headless Chromium where it is installed."""

import json
import re
import shutil
import subprocess

import pytest

from gankit import api
from gankit.errors import GankitError
from gankit.report import report
from tests.conftest import tiny_gan_config, tiny_mle_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two tiny image runs that differ in G's learning rate (one evaluated during training) and a text run."""
    out = tmp_path_factory.mktemp("runs")
    a = api.train(tiny_gan_config(steps=4, eval_every=2, eval_n=50), out=out)
    b = api.train(tiny_gan_config(steps=4), out=out, overrides=["g_optim.lr=0.001"])
    t = api.train(tiny_mle_config(steps=4), out=out)
    return out, a, b, t


def test_a_page_of_two_runs_holds_all_they_logged_and_nothing_from_elsewhere(runs, tmp_path):
    _, a, b, _ = runs
    page = report([a, b], out=tmp_path / "two.html").read_text()
    assert a.name in page and b.name in page
    differing = re.findall(r"<tr class='differs'><td>([^<]+)</td>", page)
    assert "g_optim.lr" in differing and "train.eval_every" in differing and "data.name" not in differing
    assert "<table id='metrics'>" in page and "(training, last)" in page
    assert page.count("<polyline") >= 2 * 4  # loss_D, loss_G, D_real, D_fake: one line per run on shared axes
    # self-contained: every image is embedded, nothing is fetched from anywhere
    assert not re.search(r"src='(?!data:)", page) and "https://" not in page and "<link" not in page
    assert page.count("<img") >= 2 * 3


def test_each_run_gets_report_html_at_the_end_of_training_and_text_shows_sentences(runs):
    _, a, _, t = runs
    assert (a / "report.html").is_file()
    page = (t / "report.html").read_text()
    assert "Sample sentences at step 4" in page and "<pre>" in page


def test_an_index_lists_every_run_newest_first_with_links(runs):
    out, a, b, t = runs
    index = report([out]).read_text()
    names = re.findall(r"<a href='([^']+)'>([^<]+)</a>", index)
    assert [n for _, n in names] == sorted([a.name, b.name, t.name], reverse=True)
    assert all(not href.startswith("/") and href.endswith("report.html") for href, _ in names)
    assert (out / "index.html").is_file()


def test_a_run_without_checkpoints_or_metrics_is_reported_as_such(tmp_path):
    run = tmp_path / "00000-empty"
    run.mkdir()
    (run / "config.yaml").write_text("objective: gan\n")
    page = report([run]).read_text()
    assert "none (no checkpoint was written)" in page and "No metrics" in page and "No progress pictures" in page


def test_bad_inputs_are_one_sentence_and_nothing_is_overwritten(runs, tmp_path):
    _, a, _, _ = runs
    with pytest.raises(GankitError, match="holds no gankit run"):
        report([tmp_path])
    (tmp_path / "mine.html").write_text("mine")
    with pytest.raises(GankitError, match="already exists"):
        report([a], out=tmp_path / "mine.html")
    assert (tmp_path / "mine.html").read_text() == "mine"


PROBE = """<script>window.addEventListener('load', function () {
  var images = Array.from(document.images);
  var rows = document.querySelectorAll('#metrics tr').length;
  var out = {images: images.length, broken: images.filter(function (i) { return !(i.naturalWidth > 0); }).length,
             metricRows: rows, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
             svgs: document.querySelectorAll('svg polyline').length};
  var pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});</script></body>"""


def chromium(*args, timeout=120):
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                           "--window-size=1200,2400", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make data installs it where apt and root are)")
def test_the_page_renders_in_headless_chromium(runs, tmp_path):
    _, a, b, _ = runs
    page = report([a, b], out=tmp_path / "two.html")
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace("</body>", PROBE, 1))
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", probed.as_uri()).stdout
    result = json.loads(re.search(r"<pre id=\"probe\">(.*?)</pre>", dom).group(1).replace("&quot;", '"'))
    assert result["images"] >= 6 and result["broken"] == 0, result
    metric_rows = len(re.findall(r"<tr><td>", page.read_text().split("<table id='metrics'>")[1].split("</table>")[0]))
    assert result["metricRows"] == metric_rows + 1 and metric_rows >= 1  # the header and every metric
    assert result["svgs"] >= 8 and result["scrollWidth"] <= result["innerWidth"], result  # nothing cut off
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", page.as_uri())
    from PIL import Image, ImageStat
    with Image.open(shot) as image:
        gray = image.convert("L")
        assert gray.size == (1200, 2400)
        assert ImageStat.Stat(gray).stddev[0] > 10  # not a blank page
        top = gray.crop((0, 0, 1200, 200))
        assert ImageStat.Stat(top).stddev[0] > 5  # the title and legend are drawn at the top
