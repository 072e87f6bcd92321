import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from gankit.errors import GankitError
from gankit.metrics.features.inception import ENV_VAR, WEIGHTS_FILE, FIDInceptionV3, load_inception

# The conv layers of pytorch-fid's fid_inception_v3(), written out from the reference
# (torchvision's Inception3 with aux_logits=False and the FIDInception A/C/E blocks).
STEM = ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3"]
A = ["branch1x1", "branch5x5_1", "branch5x5_2", "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3", "branch_pool"]
B = ["branch3x3", "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]
C = ["branch1x1", "branch7x7_1", "branch7x7_2", "branch7x7_3", "branch7x7dbl_1", "branch7x7dbl_2",
     "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5", "branch_pool"]
D = ["branch3x3_1", "branch3x3_2", "branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"]
E = ["branch1x1", "branch3x3_1", "branch3x3_2a", "branch3x3_2b", "branch3x3dbl_1", "branch3x3dbl_2",
     "branch3x3dbl_3a", "branch3x3dbl_3b", "branch_pool"]
BLOCKS = {"Mixed_5b": A, "Mixed_5c": A, "Mixed_5d": A, "Mixed_6a": B, "Mixed_6b": C, "Mixed_6c": C,
          "Mixed_6d": C, "Mixed_6e": C, "Mixed_7a": D, "Mixed_7b": E, "Mixed_7c": E}
CONV_KEYS = ["conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
# torchvision's inception_v3 has 27,161,264 parameters; less the aux head (3,326,696), plus 8 more classes.
N_PARAMS = 27_161_264 - 3_326_696 + 8 * 2049


def reference_keys() -> set[str]:
    convs = STEM + [f"{block}.{conv}" for block, convs in BLOCKS.items() for conv in convs]
    return {f"{conv}.{key}" for conv in convs for key in CONV_KEYS} | {"fc.weight", "fc.bias"}


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return FIDInceptionV3().eval()


@pytest.fixture(scope="module")
def weights_file(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("inception") / WEIGHTS_FILE
    torch.save(model.state_dict(), path)  # a plain state_dict, as pytorch-fid's release asset
    return path


def test_state_dict_matches_the_reference(model):
    state = model.state_dict()
    assert set(state) == reference_keys()
    assert sum(p.numel() for p in model.parameters()) == N_PARAMS
    assert state["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)
    assert state["Mixed_6b.branch7x7_2.conv.weight"].shape == (128, 128, 1, 7)
    assert state["Mixed_7b.branch3x3_2b.conv.weight"].shape == (384, 384, 3, 1)
    assert state["Mixed_7c.branch_pool.conv.weight"].shape == (192, 2048, 1, 1)
    assert state["fc.weight"].shape == (1008, 2048) and state["fc.bias"].shape == (1008,)
    assert state["Mixed_5b.branch1x1.bn.running_var"].shape == (64,)


def test_output_shapes_for_grey_and_rgb(model):
    with torch.no_grad():
        f_grey, p_grey = model.features_and_probs(torch.rand(2, 1, 28, 28) * 2 - 1)
        logits = model(torch.rand(2, 3, 32, 32) * 2 - 1)
    assert f_grey.shape == (2, 2048) and p_grey.shape == (2, 1008)
    assert torch.isfinite(f_grey).all() and torch.allclose(p_grey.sum(1), torch.ones(2))
    assert logits.shape == (2, 1008)


def test_preprocessing_equals_pytorch_fids_on_unit_range_input(model):
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    unit = (x + 1) / 2  # what pytorch-fid is given
    theirs = 2 * F.interpolate(unit, size=(299, 299), mode="bilinear", align_corners=False) - 1
    assert torch.allclose(model.preprocess(x), theirs, atol=1e-6)
    grey = model.preprocess(x[:, :1])
    assert grey.shape == (2, 3, 299, 299) and torch.equal(grey[:, 0], grey[:, 2])


def test_pools_are_the_fid_variant(model):
    assert model.Mixed_7b.pool == "avg" and model.Mixed_7c.pool == "max"
    from gankit.metrics.features.inception import _tf_avg_pool
    assert torch.equal(_tf_avg_pool(torch.ones(1, 1, 4, 4)), torch.ones(1, 1, 4, 4))  # padding not averaged in


def test_round_trip_through_a_pth_file(model, weights_file, monkeypatch):
    loaded = load_inception(weights_file)
    assert not loaded.training and not any(p.requires_grad for p in loaded.parameters())
    assert loaded.weights_id != "random"
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    monkeypatch.setenv(ENV_VAR, str(weights_file))
    assert torch.equal(load_inception().fc.weight, model.fc.weight)


def test_safetensors_without_bn_counters_load(model, tmp_path):
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    path = tmp_path / "inception.safetensors"
    save_file(state, str(path))
    assert torch.equal(load_inception(path).Mixed_7c.branch_pool.conv.weight,
                       model.Mixed_7c.branch_pool.conv.weight)


def test_mismatched_keys_and_shapes(model, tmp_path):
    state = model.state_dict()
    missing = {k: v for k, v in state.items() if k != "fc.bias"}
    torch.save(missing, tmp_path / "missing.pth")
    with pytest.raises(GankitError, match="1 keys missing.*fc.bias"):
        load_inception(tmp_path / "missing.pth")
    renamed = {("module." + k): v for k, v in state.items()}
    torch.save(renamed, tmp_path / "renamed.pth")
    with pytest.raises(GankitError, match="unexpected.*module."):
        load_inception(tmp_path / "renamed.pth")
    wrong = dict(state, **{"fc.weight": torch.zeros(1000, 2048), "fc.bias": torch.zeros(1000)})
    torch.save(wrong, tmp_path / "wrong.pth")
    with pytest.raises(GankitError, match=r"fc.bias has shape \(1000,\)"):
        load_inception(tmp_path / "wrong.pth")


def test_unreadable_file(tmp_path):
    path = tmp_path / "junk.pth"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(GankitError, match="cannot be read as a plain state_dict"):
        load_inception(path)


def test_a_malicious_pickle_is_refused_in_one_sentence_without_unsafe_advice(tmp_path, recwarn):
    import os
    import pickle

    class Payload:
        def __reduce__(self):
            return (os.system, ("echo never run",))

    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps({"w": Payload()}))
    with pytest.raises(GankitError) as caught:
        load_inception(path)
    text = str(caught.value)
    assert "cannot be read as a plain state_dict" in text and "\n" not in text and "weights_only" not in text
    assert not [w for w in recwarn if "torch" in str(w.filename)]


def test_missing_weights_say_where_to_get_them(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(GankitError, match=f"{WEIGHTS_FILE}.*--inception-weights PATH.*{ENV_VAR}"):
        load_inception()
    with pytest.raises(GankitError, match="does not exist.*pytorch-fid"):
        load_inception(tmp_path / "absent.pth")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "absent.pth"))
    with pytest.raises(GankitError, match="absent.pth does not exist"):
        load_inception()
