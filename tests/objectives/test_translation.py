"""What the image-to-image families share: probes, what to translate, patch logits, progress grids."""

import torch

from gankit.objectives.translation import first_images, flat_logits, l1, pick, sources, triplets


def test_first_images_are_floats_in_range_zeros_without_data_and_repeated_when_few():
    u8 = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1)
    out = first_images(u8, 5, (1, 1, 1))
    assert out.view(-1).tolist() == [-1.0, 1.0, -1.0, 1.0, -1.0]
    assert torch.equal(first_images(None, 3, (1, 2, 2)), torch.zeros(3, 1, 2, 2))


def test_sources_are_given_images_or_probes_drawn_with_replacement():
    probes = torch.arange(4.0).view(4, 1, 1, 1)
    given = torch.ones(2, 1, 1, 1)
    x, idx = sources(probes, None, torch.Generator(), given)
    assert torch.equal(x, given) and idx is None
    x, idx = sources(probes, 6, torch.Generator().manual_seed(0), None)
    assert x.shape == (6, 1, 1, 1) and torch.equal(x.view(-1), idx.float())
    x2, _ = sources(probes, 6, torch.Generator().manual_seed(0), None)
    assert torch.equal(x, x2)  # the generator decides
    assert len(sources(probes, None, torch.Generator(), None)[0]) == 4  # default: as many as the probes
    assert torch.equal(pick(probes, 3, torch.Generator().manual_seed(1))[0],
                       pick(probes, 3, torch.Generator().manual_seed(1))[0])


def test_patch_logits_flatten_per_image_and_l1_is_a_mean():
    assert flat_logits(torch.zeros(3, 1, 4, 5)).shape == (3, 20)
    assert l1(torch.zeros(2, 1, 2, 2), torch.full((2, 1, 2, 2), 0.5)).item() == 0.5


def test_triplets_put_each_input_beside_its_outputs():
    a, b, c = (torch.full((2, 1, 2, 2), v) for v in (0.0, 1.0, 2.0))
    grid = triplets([a, b, c], per_row=2)
    assert grid["nrow"] == 6 and grid["images"][:, 0, 0, 0].tolist() == [0, 1, 2, 0, 1, 2]
