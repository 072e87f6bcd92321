"""SeqGAN's CNN discriminator."""

import torch
import torch.nn.functional as F

from gankit.models.text_cnn import SEQGAN_FILTERS, TextCNN


def test_one_logit_a_sequence_from_ids_or_one_hot_vectors():
    torch.manual_seed(0)
    D = TextCNN(vocab=9, length=20, embed_dim=6, scale=0.05).eval()
    x = torch.randint(9, (3, 20))
    assert D(x).shape == (3,)
    assert torch.allclose(D(F.one_hot(x, 9).float()), D(x), atol=1e-6)


def test_filters_longer_than_the_text_are_dropped_and_the_rest_scaled():
    D = TextCNN(vocab=5, length=8, embed_dim=4, scale=0.5)
    widths = [conv.kernel_size[0] for conv in D.convs]
    assert widths == [w for w, _ in SEQGAN_FILTERS if w <= 8]
    assert [conv.out_channels for conv in D.convs] == [round(n * 0.5) for w, n in SEQGAN_FILTERS if w <= 8]
