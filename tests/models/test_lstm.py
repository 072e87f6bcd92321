"""The LSTM language model: teacher forcing, log-probabilities, sampling, rollouts and relaxed inputs."""

import torch
import torch.nn.functional as F

from gankit.models.lstm import LSTMGenerator, draw


def model():
    torch.manual_seed(0)
    return LSTMGenerator(vocab=7, length=6, embed_dim=4, hidden_dim=5, init_std=0.5)


def test_log_prob_is_the_log_softmax_of_each_given_token():
    G, x = model(), torch.randint(7, (3, 6))
    logits = G(x)
    assert logits.shape == (3, 6, 7)
    by_hand = F.log_softmax(logits, -1).gather(2, x[..., None])[..., 0]
    assert torch.allclose(G.log_prob(x), by_hand)
    # position t sees x_<t only: changing the last token changes no earlier logit
    y = x.clone()
    y[:, -1] = (y[:, -1] + 1) % 7
    assert torch.equal(G(y)[:, :-1], logits[:, :-1])


def test_samples_are_a_function_of_the_uniforms_and_rollouts_keep_their_prefix():
    G, u = model(), torch.rand(4, 6)
    a, b = G.sample(4, uniforms=u), G.sample(4, uniforms=u)
    assert torch.equal(a, b) and a.shape == (4, 6) and a.dtype == torch.int64
    prefix = torch.tensor([[1, 2], [3, 4], [5, 6], [0, 0]])
    done = G.sample(4, torch.Generator().manual_seed(0), prefix=prefix)
    assert done.shape == (4, 6) and torch.equal(done[:, :2], prefix)
    # a rollout from a prefix continues as G would have: the same uniforms give the same tokens after it
    whole = G.sample(4, uniforms=u)
    again = G.sample(4, prefix=whole[:, :3], uniforms=u)
    assert torch.equal(again, whole)


def test_the_first_token_follows_softmax_of_the_logits_over_the_temperature():
    G = model()
    with torch.no_grad():
        first = G(torch.zeros(1, 6, dtype=torch.int64))[0, 0]  # position 0 sees the start token alone
    gen = torch.Generator().manual_seed(1)
    for temperature in (0.3, 1.0, 3.0):
        counts = torch.bincount(G.sample(20000, gen, temperature=temperature)[:, 0], minlength=7).float()
        assert torch.allclose(counts / 20000, F.softmax(first / temperature, dim=0), atol=0.015), temperature
    probs = torch.tensor([[0.2, 0.0, 0.8]]).expand(4000, 3)
    picks = draw(probs, torch.rand(4000, 1, generator=torch.Generator().manual_seed(0)))[:, 0]
    assert 1 not in picks.tolist() and abs((picks == 2).float().mean() - 0.8) < 0.03


def test_relaxed_one_hot_inputs_reproduce_teacher_forcing_when_they_are_exact():
    G, x = model(), torch.randint(7, (2, 6))
    one_hot = F.one_hot(x[:, :-1], 7).float()
    assert torch.allclose(G.soft_forward(x[:, :1], one_hot), G(x), atol=1e-6)
