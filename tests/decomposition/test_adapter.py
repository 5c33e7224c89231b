"""DictionaryAdapter and the heartbeat generator."""

import numpy as np
import pytest

from sk_sparse.coding import bpdn
from sk_sparse.coding._bpdn import _bpdn
from sk_sparse.datasets import BEAT_ANOMALIES, make_heartbeats
from sk_sparse.decomposition import DictionaryAdapter, resolve_dictionary
from sk_sparse.decomposition._adapter import adapt_transform, locality_weights


def test_heartbeats_change_with_the_rate_but_not_the_user():
    slow = make_heartbeats(20, heart_rate=60, user=3, noise=0, random_state=0)
    fast = make_heartbeats(20, heart_rate=150, user=3, noise=0, random_state=0)
    assert slow.shape == (20, 64)
    # R stays at the same sample; the T wave moves later in the (shorter) segment
    # since QT shrinks less than RR (Bazett).
    assert np.all(slow.argmax(axis=1) == fast.argmax(axis=1))
    t_slow = 30 + slow.mean(axis=0)[30:].argmax()
    t_fast = 30 + fast.mean(axis=0)[30:].argmax()
    assert t_fast > t_slow
    again = make_heartbeats(20, heart_rate=60, user=3, noise=0, random_state=0)
    np.testing.assert_array_equal(slow, again)
    other = make_heartbeats(20, heart_rate=60, user=4, noise=0, random_state=0)
    assert np.abs(other.mean(axis=0) - slow.mean(axis=0)).max() > 0.05
    for anomaly in BEAT_ANOMALIES:
        abnormal = make_heartbeats(20, heart_rate=60, user=3, anomaly=anomaly, noise=0,
                                   random_state=0)
        # The same draws make the same beats but for the anomaly.
        assert np.median(np.abs(abnormal - slow).max(axis=1)) > 0.1, anomaly


def test_anomaly_severity_interpolates_between_normal_and_abnormal_beats():
    def beats(anomaly=None, severity=1.0):
        return make_heartbeats(10, heart_rate=80, user=2, anomaly=anomaly, severity=severity,
                               noise=0, random_state=0)

    normal = beats()
    for anomaly in BEAT_ANOMALIES:
        np.testing.assert_array_equal(beats(anomaly), beats(anomaly, 1.0))
        faint = beats(anomaly, 1e-9)
        if anomaly != "noise_burst":  # which draws more numbers, so later beats differ
            np.testing.assert_allclose(faint, normal, atol=1e-6)
        departures = [np.abs(beats(anomaly, severity) - faint).max(axis=1).mean()
                      for severity in (0.1, 0.3, 0.6, 1.0)]
        assert np.all(np.diff(departures) > 0), anomaly  # monotone towards the full one
    # Additive anomalies grow linearly with the severity.
    for anomaly in ("st_elevation", "noise_burst"):
        faint = beats(anomaly, 1e-9)
        np.testing.assert_allclose(beats(anomaly, 0.4) - faint,
                                   2 * (beats(anomaly, 0.2) - faint), atol=1e-8)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="severity"):
            make_heartbeats(5, anomaly="inverted_t", severity=bad)


def test_transform_update_satisfies_kkt():
    rng = np.random.default_rng(0)
    B = rng.normal(size=(50, 6))
    S = B @ rng.normal(size=(6, 6)).T + 0.1 * rng.normal(size=(50, 6))
    weights = locality_weights(6, 0.5)
    l2, l1 = 0.3, 0.5
    F = adapt_transform(B.T @ B, S.T @ B, weights, l2, l1, np.eye(6), max_iter=20_000,
                        tol=1e-13)
    gradient = F @ (B.T @ B) - S.T @ B + l2 * weights**2 * F
    on = F != 0
    np.testing.assert_allclose(gradient[on], -l1 * weights[on] * np.sign(F[on]), atol=1e-6)
    assert np.all(np.abs(gradient[~on]) <= l1 * weights[~on] + 1e-6)
    assert 0 < on.sum() < 36  # both cases exercised


def test_transform_update_recovers_a_planted_warp():
    # A local time warp (each output sample interpolates two neighbouring input samples),
    # observed exactly through 400 random codes: with vanishing penalties the F step
    # must return it.
    m = 16
    planted = np.zeros((m, m))
    for i in range(m):
        j, fraction = divmod(0.9 * i, 1.0)
        planted[i, int(j)] += 1 - fraction
        if int(j) + 1 < m:
            planted[i, int(j) + 1] += fraction
    B = np.random.default_rng(0).normal(size=(400, m))
    S = B @ planted.T
    F = adapt_transform(B.T @ B, S.T @ B, locality_weights(m, 0.1), 1e-8, 1e-8, np.eye(m),
                        max_iter=20_000, tol=1e-12)
    np.testing.assert_allclose(F, planted, atol=1e-6)


def relative_error(atoms, signals):
    atoms = atoms / np.linalg.norm(atoms, axis=1, keepdims=True)
    codes = bpdn(signals, atoms, alpha=0.02)
    return np.sum((signals - codes @ atoms) ** 2) / np.sum(signals**2)


def test_adapted_dictionary_fits_a_new_user_at_the_new_rate():
    sources = [make_heartbeats(100, heart_rate=60, user=u, random_state=u) for u in range(5)]
    targets = [make_heartbeats(100, heart_rate=120, user=u, random_state=50 + u)
               for u in range(5)]
    adapter = DictionaryAdapter(n_components=12, max_iter=8, random_state=0)
    adapter.fit(sources, targets)
    assert adapter.transform_.shape == (64, 64)
    assert adapter.objective_[-1] < adapter.objective_[0]
    new_slow = make_heartbeats(100, heart_rate=60, user=30, random_state=1)
    new_fast = make_heartbeats(80, heart_rate=120, user=30, random_state=2)
    own = resolve_dictionary("mod", new_slow, n_components=12, alpha=0.02,
                             random_state=0)[0]
    unadapted = relative_error(own, new_fast)
    adapted = relative_error(adapter.transform(own), new_fast)
    assert adapted < 0.5 * unadapted


def test_objective_is_that_of_the_transform_after_each_round():
    sources = [make_heartbeats(40, heart_rate=60, user=u, random_state=u) for u in range(2)]
    targets = [make_heartbeats(40, heart_rate=110, user=u, random_state=9 + u)
               for u in range(2)]
    adapter = DictionaryAdapter(n_components=6, max_iter=3, l1_penalty=2e-4,
                                n_dictionaries=3, random_state=0).fit(sources, targets)
    assert adapter.objective_.shape == (3,)
    # Each user's dictionaries come from different starts.
    assert [d.shape for d in adapter.source_dictionaries_] == [(3, 6, 64)] * 2
    for draws in adapter.source_dictionaries_:
        assert np.abs(draws[0] - draws[1]).max() > 0.1
    # Recomputed from scratch for the final F: optimal codes on D F^T (not renormalised),
    # relative to each user's energy, a mean over their dictionaries, plus the
    # weighted elastic net.
    F, alpha = adapter.transform_, adapter.alpha
    weighted = locality_weights(64, adapter.locality) * F
    value = (0.5 * adapter.l2_penalty * np.sum(weighted**2)
             + adapter.l1_penalty * np.abs(weighted).sum())
    for draws, S in zip(adapter.source_dictionaries_, targets):
        for D in draws:
            atoms = D @ F.T
            codes = _bpdn(S, atoms, np.full(len(S), alpha))
            value += (0.5 * np.sum((S - codes @ atoms) ** 2)
                      + alpha * np.abs(codes).sum()) / (3 * np.sum(S**2))
    assert adapter.objective_[-1] == pytest.approx(value, rel=1e-9)
    assert np.all(np.diff(adapter.objective_) < 0)


def test_users_count_alike_however_many_signals_they_give_and_in_any_units():
    # Each user's data term is relative to the energy of their signals: giving every
    # target signal twice leaves the transform as it was (the penalties keep their
    # strength), and so do other units when alpha follows them.
    sources = [make_heartbeats(40, heart_rate=60, user=u, random_state=u) for u in range(2)]
    targets = [make_heartbeats(30 + 20 * u, heart_rate=120, user=u, random_state=9 + u)
               for u in range(2)]
    params = {"n_components": 6, "max_iter": 3, "n_dictionaries": 1, "random_state": 0}
    once = DictionaryAdapter(**params).fit(sources, targets)
    twice = DictionaryAdapter(**params).fit(sources, [np.vstack([S, S]) for S in targets])
    np.testing.assert_allclose(twice.transform_, once.transform_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(twice.objective_, once.objective_, rtol=1e-6)
    # Nor does giving one user's signals twice: that user does not outweigh the other.
    skewed = DictionaryAdapter(**params).fit(sources, [np.vstack([targets[0]] * 2),
                                                       targets[1]])
    np.testing.assert_allclose(skewed.transform_, once.transform_, rtol=1e-5, atol=1e-6)
    scaled = DictionaryAdapter(**params, alpha=0.02 * 8).fit(
        [8 * S for S in sources], [8 * S for S in targets])
    np.testing.assert_allclose(scaled.transform_, once.transform_, rtol=1e-5, atol=1e-6)


def test_rejects_mismatched_users():
    beats = make_heartbeats(10, random_state=0)
    with pytest.raises(ValueError, match="same users"):
        DictionaryAdapter(max_iter=1).fit([beats, beats], [beats])
    adapter = DictionaryAdapter(n_components=4, max_iter=1, random_state=0).fit(beats, beats)
    with pytest.raises(ValueError, match="features"):
        adapter.transform(np.ones((3, 10)))


def test_api_pickle_bad_input_and_unmodified_input():
    import pickle

    from sklearn.base import clone

    beats = make_heartbeats(30, random_state=0)
    fast = make_heartbeats(30, heart_rate=100, random_state=1)
    before = beats.copy()
    adapter = DictionaryAdapter(n_components=4, max_iter=2, random_state=0)
    assert adapter.fit(beats, fast) is adapter
    np.testing.assert_array_equal(beats, before)
    restored = pickle.loads(pickle.dumps(adapter))
    atoms = adapter.source_dictionaries_[0][0]
    np.testing.assert_array_equal(restored.transform(atoms), adapter.transform(atoms))
    refit = clone(adapter).fit(beats, fast)
    np.testing.assert_allclose(refit.transform_, adapter.transform_)
    bad = beats.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DictionaryAdapter(max_iter=1).fit(bad, fast)
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        DictionaryAdapter().transform(atoms)


def test_score_ranks_transforms_on_held_out_users_and_tunes_in_grid_search():
    from copy import deepcopy

    from sklearn.model_selection import GridSearchCV

    sources = [make_heartbeats(60, heart_rate=60, user=u, random_state=u) for u in range(4)]
    targets = [make_heartbeats(60, heart_rate=130, user=u, random_state=50 + u)
               for u in range(4)]
    adapter = DictionaryAdapter(n_components=8, max_iter=4, random_state=0)
    adapter.fit(sources[:3], targets[:3])
    adapted = adapter.score(sources[3:], targets[3:])
    identity = deepcopy(adapter)
    identity.transform_ = np.eye(64)
    unadapted = identity.score(sources[3:], targets[3:])
    # Minus the relative error: the learned F explains the held-out user's fast beats
    # better than leaving the slow dictionary as it is.
    assert unadapted < adapted < 0
    atoms = adapter.transform(resolve_dictionary("mod", sources[3], n_components=8,
                                                 alpha=0.02, random_state=0)[0])
    assert adapted == pytest.approx(-relative_error(atoms, targets[3]), rel=1e-6)
    # Users are the samples cross-validation splits.
    search = GridSearchCV(DictionaryAdapter(n_components=8, max_iter=2, random_state=0),
                          {"locality": [0.3, 3.0]}, cv=2).fit(sources, targets)
    assert search.best_params_["locality"] in (0.3, 3.0)
    assert np.all(search.cv_results_["mean_test_score"] < 0)
    with pytest.raises(ValueError, match="samples"):
        adapter.score(np.ones((3, 10)), np.ones((3, 10)))
