import math

import numpy as np
import pytest
from scipy import integrate

from gankit.reproduce import theory


def _grid(lo=-12.0, hi=12.0, n=24001):
    x = np.linspace(lo, hi, n)
    return x, x[1] - x[0]


def test_equal_densities_give_half_and_minus_log4():
    x, dx = _grid()
    p = theory.gaussian_pdf(x, 0.0, 1.0)
    d = theory.optimal_discriminator(p, p)
    assert np.allclose(d, 0.5)
    assert theory.game_value(p, p, d, dx) == pytest.approx(-math.log(4), abs=1e-6)
    assert theory.value_at_optimum(p, p, dx) == pytest.approx(-math.log(4), abs=1e-6)
    assert theory.jsd(p, p, dx) == pytest.approx(0.0, abs=1e-12)


def test_two_gaussians_value_is_minus_log4_plus_two_jsd_and_jsd_matches_quadrature():
    x, dx = _grid()
    p, q = theory.gaussian_pdf(x, 0.0, 1.0), theory.gaussian_pdf(x, 1.5, 0.7)
    d = theory.optimal_discriminator(p, q)
    js = theory.jsd(p, q, dx)

    def integrand(t):
        a, b = theory.gaussian_pdf(t, 0.0, 1.0), theory.gaussian_pdf(t, 1.5, 0.7)
        m = (a + b) / 2
        return 0.5 * (a * math.log(a / m) + b * math.log(b / m)) if m > 0 else 0.0
    reference, _ = integrate.quad(integrand, -12, 12, limit=200, epsabs=1e-12)
    assert 0.05 < js < math.log(2)
    assert js == pytest.approx(reference, abs=1e-6)
    v_star = theory.value_at_optimum(p, q, dx)
    assert v_star == pytest.approx(-math.log(4) + 2 * js, abs=1e-9)
    # D* maximises V pointwise: any other D, e.g. 1/2 everywhere or a perturbed D*, scores lower.
    assert theory.game_value(p, q, np.full_like(x, 0.5), dx) < v_star
    assert theory.game_value(p, q, np.clip(d + 0.05, 1e-6, 1 - 1e-6), dx) < v_star


def test_game_value_at_d_star_equals_value_at_optimum_where_d_star_does_not_round_to_one():
    x, dx = _grid()
    p, q = theory.gaussian_pdf(x, 0.0, 1.0), theory.gaussian_pdf(x, 1.5, 1.0)  # equal widths: D* stays inside (0, 1)
    d = theory.optimal_discriminator(p, q)
    assert theory.game_value(p, q, d, dx) == pytest.approx(theory.value_at_optimum(p, q, dx), abs=1e-9)


def test_disjoint_supports_give_log2_and_a_perfect_discriminator():
    x, dx = _grid(0.0, 4.0, 4001)
    p = np.where(x < 1, 1.0, 0.0)              # uniform on [0, 1)
    q = np.where((x >= 2) & (x < 3), 1.0, 0.0)  # uniform on [2, 3)
    d = theory.optimal_discriminator(p, q)
    assert np.all(d[p > 0] == 1) and np.all(d[q > 0] == 0) and np.all(d[(p == 0) & (q == 0)] == 0.5)
    assert theory.jsd(p, q, dx) == pytest.approx(math.log(2), rel=1e-12)
    assert theory.game_value(p, q, d, dx) == pytest.approx(0.0, abs=1e-12)
    assert theory.value_at_optimum(p, q, dx) == pytest.approx(0.0, abs=1e-12)
    assert theory.kl(p, q, dx) == math.inf


def test_histogram_density_integrates_to_the_share_inside():
    rng = np.random.default_rng(0)
    samples = rng.normal(0.0, 1.0, 200_000)
    edges = np.linspace(-1.0, 1.0, 41)
    dens = theory.histogram_density(samples, edges)
    assert (dens * np.diff(edges)).sum() == pytest.approx(math.erf(1 / math.sqrt(2)), abs=0.01)
    assert dens[20] == pytest.approx(theory.gaussian_pdf(0.025, 0, 1), rel=0.05)


def test_the_pushforward_density_is_the_change_of_variables():
    from gankit.reproduce.theory import pushforward_density
    z = np.linspace(-1, 1, 4001)
    # G(z) = 3 z + 1 on U[-1, 1]: p_g is uniform 1/6 on [-2, 4]
    x = np.array([-1.9, 0.0, 3.9, 4.5])
    assert np.allclose(pushforward_density(x, 3 * z + 1, np.full_like(z, 3.0), 0.5), [1 / 6, 1 / 6, 1 / 6, 0])
    # G(z) = z^2 on U[-1, 1] (two preimages +-sqrt(x)): p_g(x) = 2 * 0.5 / (2 sqrt(x)) = 1 / (2 sqrt(x))
    x = np.array([0.04, 0.25, 0.81])
    assert np.allclose(pushforward_density(x, z ** 2, 2 * z, 0.5), 1 / (2 * np.sqrt(x)), rtol=1e-3)
    # a non-monotone smooth map integrates to one
    g, dg = np.sin(3 * z) + z, 3 * np.cos(3 * z) + 1
    grid = np.linspace(-3, 3, 6001)
    assert abs(np.trapezoid(pushforward_density(grid, g, dg, 0.5), grid) - 1) < 2e-2
