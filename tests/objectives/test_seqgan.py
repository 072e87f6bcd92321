"""SeqGAN: phases by step, rewards from rollouts, the policy gradient's sign, the delayed rollout network,
and resume bit for bit across the phase boundaries."""

import copy

import torch

from gankit.objectives import seqgan
from gankit.train.session import advance
from tests.conftest import assert_resume_bit_exact, options_session, tiny_seqgan_config


def session(**options):
    return options_session(tiny_seqgan_config(), **options)


def test_the_phases_follow_the_step_and_each_trains_its_own_network():
    s, data = session(mle_steps=1, d_pretrain_steps=1, adv_d_steps=1)
    assert [seqgan.phase(s.parts, i) for i in range(3)] == ["mle", "d_pretrain", "adversarial"]
    moved = []
    for _ in range(3):
        before = {n: copy.deepcopy(net.state_dict()) for n, net in s.nets.items()}
        stats = advance(s, data)
        moved.append(({n for n, net in s.nets.items()
                       if any(not torch.equal(before[n][k], v) for k, v in net.state_dict().items())}, set(stats)))
    assert moved[0] == ({"G"}, {"nll"})
    assert moved[1] == ({"D"}, {"loss_D", "D_real", "D_fake"})
    assert moved[2][0] == {"G", "D", "G_rollout"} and {"loss_G", "reward", "loss_D"} <= moved[2][1]


def test_rewards_are_d_probabilities_of_completed_prefixes_with_d_dropout_off():
    s, _ = session(rollouts=3)
    x = s.nets["G"].sample(4, torch.Generator().manual_seed(0))
    s.nets["D"].train()
    r = seqgan.rewards(s.parts, x, s.t)
    assert r.shape == x.shape and ((r > 0) & (r < 1)).all() and s.nets["D"].training
    s.nets["D"].eval()
    assert torch.allclose(r[:, -1], torch.sigmoid(s.nets["D"](x)))  # the last token: D of the sequence itself


def test_the_policy_gradient_raises_the_probability_of_rewarded_tokens(monkeypatch):
    s, data = session(adv_d_steps=0)
    G, favoured = s.nets["G"], 3
    probe = torch.zeros(1, 10, dtype=torch.int64)
    p_before = torch.softmax(G(probe)[0, 0], -1)[favoured].item()  # the first token's probability
    monkeypatch.setattr(seqgan, "rewards", lambda parts, x, t: (x == favoured).float())
    for _ in range(20):
        seqgan.g_step(s.parts, s.t)
    assert torch.softmax(G(probe)[0, 0], -1)[favoured].item() > 2 * p_before


def test_the_rollout_network_keeps_its_share_and_takes_the_rest_from_g():
    s, _ = session(rollout_update=0.8)
    slow_before = [p.clone() for p in s.nets["G_rollout"].parameters()]
    seqgan.g_step(s.parts, s.t)
    for slow, before, fast in zip(s.nets["G_rollout"].parameters(), slow_before, s.nets["G"].parameters()):
        assert torch.allclose(slow, 0.8 * before + 0.2 * fast)


def test_resume_is_bit_exact_across_both_phase_boundaries(tmp_path):
    def make(**train):
        cfg = tiny_seqgan_config(**train)
        cfg.options.mle_steps, cfg.options.d_pretrain_steps = 2, 2
        return cfg
    assert_resume_bit_exact(tmp_path, make, steps=3)  # steps 0-2 | 3-5: MLE, D pretraining, adversarial


def test_its_step_is_never_one_cuda_graph():
    assert "phase" in seqgan.FAMILY.graphable(None)
