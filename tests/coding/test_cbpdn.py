"""Convolutional BPDN: against a spatial-domain lasso, the group prox, KKT, SPORCO."""

import numpy as np
import pytest
import scipy.fft as sp_fft
from scipy import ndimage
from scipy.optimize import minimize
from sklearn.linear_model import Lasso

from sk_sparse.coding import cbpdn, cbpdn_objective
from sk_sparse.coding._cbpdn import (
    _block_edges,
    _relaxed_prox,
    filter_spectra,
    inverse_rfft,
    synthesize,
)
from sk_sparse.datasets import load_image


def convolution_matrix(filters, shape):
    """Columns: every filter (centred) at every position, periodic: the explicit D."""
    n = int(np.prod(shape))
    spectra = filter_spectra(filters, shape)
    eye = np.eye(len(filters) * n).reshape(len(filters) * n, len(filters), *shape)
    return synthesize(eye, spectra, shape).reshape(len(filters) * n, n).T


def lasso_maps(signal, filters, alpha):
    """The periodic CBPDN problem solved as a plain lasso on the explicit D."""
    matrix = convolution_matrix(filters, signal.shape)
    lasso = Lasso(alpha=alpha / matrix.shape[0], fit_intercept=False, tol=1e-12,
                  max_iter=200_000).fit(matrix, signal.ravel())
    return lasso.coef_.reshape(len(filters), *signal.shape)


@pytest.mark.parametrize("shape, filter_shape", [((12, 10), (3, 4)), ((40,), (5,))])
def test_matches_a_spatial_domain_lasso(shape, filter_shape):
    rng = np.random.default_rng(0)
    filters = rng.normal(size=(3, *filter_shape))
    signal = rng.normal(size=shape)
    expected = lasso_maps(signal, filters, 0.3)
    maps = cbpdn(signal, filters, alpha=0.3, boundary="periodic", tol=1e-7, max_iter=20_000)
    np.testing.assert_allclose(maps, expected, atol=2e-4)
    assert np.count_nonzero(np.abs(expected) > 1e-8) > 0  # not the trivial solution


@pytest.mark.parametrize("domain", [(9,), (10,), (7, 10), (8, 9), (4, 5, 6)])
def test_inverse_transform_equals_scipy_irfftn(domain):
    # The inverse DFT taken in two steps (complex over the leading axes, then real over
    # the last), odd and even lengths, and the input left alone unless it may be
    # overwritten.
    axes = tuple(range(-len(domain), 0))
    signal = np.random.default_rng(0).normal(size=(2, 3, *domain))
    spectra = sp_fft.rfftn(signal, axes=axes)
    copy = spectra.copy()
    np.testing.assert_allclose(inverse_rfft(spectra, domain), signal, atol=1e-12)
    np.testing.assert_array_equal(spectra, copy)
    np.testing.assert_allclose(inverse_rfft(spectra, domain, overwrite=True),
                               sp_fft.irfftn(copy, s=domain, axes=axes), atol=1e-12)


def test_the_convolution_convention_is_centred_correlation_free():
    # A single coefficient reproduces the filter centred at its position.
    filters = np.arange(1.0, 10.0).reshape(1, 3, 3)
    maps = np.zeros((1, 1, 7, 7))
    maps[0, 0, 3, 4] = 1.0
    image = synthesize(maps, filter_spectra(filters, (7, 7)), (7, 7))[0]
    np.testing.assert_allclose(image[2:5, 3:6], filters[0], atol=1e-12)
    assert np.abs(image).sum() == pytest.approx(filters.sum())


def test_group_prox_is_the_exact_minimiser_and_the_update_returns_its_norms():
    # The fused update with relaxation 1, u = 0 and z_old = 0 applies the prox to x;
    # its blocks are the 2 x 2 quarters of each 4 x 4 map (starts [0, 2] per axis).
    rng = np.random.default_rng(1)
    v = rng.normal(size=(1, 2, 4, 4))
    lam, mu = 0.3, 0.8
    u, z, w = np.zeros_like(v), np.empty_like(v), np.empty_like(v)
    sums = np.empty((1, 5))
    _relaxed_prox(v, np.zeros_like(v), u, np.array([lam]), np.array([mu]), 1.0,
                  np.array([0, 2, 4]), np.array([0, 2, 4]), True, z, sums, np.empty(4), w)
    np.testing.assert_allclose(u, v - z, atol=1e-15)
    np.testing.assert_allclose(w, z - u, atol=1e-15)
    np.testing.assert_allclose(sums[0], [np.sum((v - z) ** 2), np.sum(z**2), np.sum(v**2),
                                         np.sum(z**2), np.sum((v - z) ** 2)])

    def objective(flat):
        x = flat.reshape(v.shape)
        blocks = np.sqrt(np.add.reduceat(np.add.reduceat(x**2, [0, 2], axis=-2), [0, 2],
                                         axis=-1))
        return 0.5 * np.sum((x - v) ** 2) + lam * np.abs(x).sum() + mu * blocks.sum()

    best = minimize(objective, v.ravel() * 0.5, method="Powell",
                    options={"xtol": 1e-10, "ftol": 1e-14, "maxiter": 200_000}).x
    assert objective(z.ravel()) <= objective(best) + 1e-8
    assert np.any(z == 0) and np.any(z != 0)


@pytest.mark.parametrize("grouped", [False, True])
def test_relaxed_update_matches_numpy(grouped):
    # One relaxed z- and u-update on maps whose rows and columns are not multiples of
    # the bands and blocks (11 x 13, blocks starting at 0, 3 and 8), with relaxation,
    # a previous z and a dual variable, against the same steps in numpy.
    rng = np.random.default_rng(4)
    shape = (2, 3, 11, 13)
    x, z_old, u0 = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape)
    lam, mu, relax = np.array([0.4, 0.2]), np.array([5.0, 8.0]), 1.8
    starts = np.array([0, 3, 8])
    v = relax * x + u0 - (relax - 1) * z_old
    z = np.sign(v) * np.maximum(np.abs(v) - lam[:, None, None, None], 0)
    if grouped:
        norms = np.sqrt(np.add.reduceat(np.add.reduceat(z**2, starts, axis=-2), starts,
                                        axis=-1))
        factor = np.maximum(1 - mu[:, None, None, None] / np.maximum(norms, 1e-300), 0)
        z *= np.repeat(np.repeat(factor, np.diff(np.append(starts, 11)), axis=-2),
                       np.diff(np.append(starts, 13)), axis=-1)
    u = v - z
    u_out, z_out, w_out = u0.copy(), np.empty(shape), np.empty(shape)
    sums = np.empty((2, 5))
    rows = np.append(starts, 11) if grouped else np.array([0, 8, 11])
    _relaxed_prox(x, z_old, u_out, lam, mu, relax, rows, np.append(starts, 13), grouped,
                  z_out, sums, np.empty(13), w_out)
    np.testing.assert_allclose(z_out, z, atol=1e-12)
    np.testing.assert_allclose(u_out, u, atol=1e-12)
    np.testing.assert_allclose(w_out, z - u, atol=1e-12)
    per_signal = [np.sum(a.reshape(2, -1), axis=1)
                  for a in ((x - z) ** 2, (z - z_old) ** 2, x**2, z**2, u**2)]
    np.testing.assert_allclose(sums, np.stack(per_signal, axis=1), rtol=1e-12)
    if grouped:
        assert np.any(factor == 0) and np.any((factor > 0) & (factor < 1))


def test_group_sparse_solution_satisfies_kkt():
    rng = np.random.default_rng(2)
    filters = rng.normal(size=(2, 3, 3))
    signal = rng.normal(size=(8, 8))
    lam, mu, block = 0.2, 0.6, 4
    maps = cbpdn(signal, filters, alpha=lam, group_alpha=mu, block_size=block,
                 boundary="periodic", tol=1e-8, max_iter=50_000)
    matrix = convolution_matrix(filters, signal.shape)
    gradient = (matrix.T @ (matrix @ maps.ravel() - signal.ravel())).reshape(maps.shape)
    n_zero_blocks = 0
    for k in range(2):
        for r in range(0, 8, block):
            for c in range(0, 8, block):
                a = maps[k, r:r + block, c:c + block]
                g = gradient[k, r:r + block, c:c + block]
                norm = np.linalg.norm(a)
                if norm < 1e-9:
                    # 0 is optimal for the block: ||soft(g, lam)|| <= mu.
                    n_zero_blocks += 1
                    assert np.linalg.norm(np.sign(g) * np.maximum(np.abs(g) - lam, 0)) <= mu + 1e-4
                else:
                    on = np.abs(a) > 1e-9
                    residual = g + lam * np.sign(a) + mu * a / norm
                    np.testing.assert_allclose(residual[on], 0, atol=1e-4)
                    assert np.all(np.abs(g + mu * a / norm)[~on] <= lam + 1e-4)
    assert 0 < n_zero_blocks < 8  # both cases were exercised


def test_group_term_zeroes_whole_blocks():
    image = load_image("camera")[:64, :64]
    detail = image - ndimage.gaussian_filter(image, 2)
    filters = np.random.default_rng(0).normal(size=(4, 5, 5)) / 5
    plain = cbpdn(detail, filters, alpha=0.001, tol=1e-4)
    grouped = cbpdn(detail, filters, alpha=0.001, group_alpha=0.005, block_size=8, tol=1e-4)
    edges = [_block_edges(64, 0, 8)] * 2

    def empty_blocks(maps):
        return np.sum(np.add.reduceat(np.add.reduceat(maps**2, edges[0], axis=-2),
                                      edges[1], axis=-1) == 0)
    assert empty_blocks(plain) == 0 and 20 < empty_blocks(grouped) < 4 * 64


def test_matches_sporco():
    sporco_cbpdn = pytest.importorskip("sporco.admm.cbpdn")
    image = load_image("camera")[100:164, 100:164]
    detail = image - ndimage.gaussian_filter(image, 3)
    rng = np.random.default_rng(3)
    filters = rng.normal(size=(6, 6, 6))
    filters /= np.linalg.norm(filters.reshape(6, -1), axis=1)[:, None, None]
    options = sporco_cbpdn.ConvBPDN.Options({"Verbose": False, "MaxMainIter": 3000,
                                             "RelStopTol": 1e-7})
    # SPORCO: filters as (h, w, K), origin at the filter's first sample.
    solver = sporco_cbpdn.ConvBPDN(np.moveaxis(filters, 0, -1), detail, 0.02, options)
    solver.solve()
    reference = solver.itstat[-1].ObjFun
    maps = cbpdn(detail, filters, alpha=0.02, boundary="periodic", tol=1e-5, max_iter=3000)
    ours = cbpdn_objective(detail, filters, maps, alpha=0.02)
    assert abs(ours - reference) <= 1e-4 * reference


def test_reflect_boundary_and_dtypes():
    rng = np.random.default_rng(4)
    images = rng.normal(size=(2, 20, 24)).astype(np.float32)
    filters = rng.normal(size=(3, 5, 4)).astype(np.float32)
    maps, n_iter = cbpdn(images, filters, alpha=0.5, return_n_iter=True)
    assert maps.shape == (2, 3, 20, 24) and maps.dtype == np.float32
    assert n_iter.shape == (2,) and np.all(n_iter >= 1)
    # A signal's code does not depend on the other signals of the batch.
    alone = cbpdn(images[1], filters, alpha=0.5)
    np.testing.assert_allclose(alone, maps[1], rtol=1e-4, atol=1e-5)
    # Per-signal alpha.
    both = cbpdn(images, filters, alpha=np.array([0.5, 1e9]))
    assert np.all(both[1] == 0) and np.any(both[0] != 0)


def test_rejects_bad_input():
    filters = np.ones((2, 3, 3))
    with pytest.raises(ValueError, match="do not fit"):
        cbpdn(np.ones((2, 2)), filters, alpha=0.1)
    with pytest.raises(ValueError, match="dimensions"):
        cbpdn(np.ones((2, 4, 4, 4)), filters, alpha=0.1)
    with pytest.raises(ValueError, match="alpha"):
        cbpdn(np.ones((2, 8, 8)), filters, alpha=np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="filters"):
        cbpdn(np.ones((8, 8)), np.ones(3), alpha=0.1)
    with pytest.raises(ValueError, match="maps"):
        cbpdn_objective(np.ones((8, 8)), filters, np.ones((3, 8, 8)), alpha=0.1)
    image = np.ones((8, 8))
    cbpdn(image, filters, alpha=0.1)
    assert np.all(image == 1)
