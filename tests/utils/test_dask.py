"""Scale-out: the joblib-parallel estimators give identical results on a Dask cluster.

``joblib.parallel_config(backend="dask")`` sends the estimators' joblib tasks (strips of
images, chunks of patches) to the Dask client in scope. The cluster here is a
``LocalCluster`` of two in-process workers; a real cluster is used the same way (see the
user guide's page on scaling).
"""

import numpy as np
import pytest
from joblib import parallel_config

from sk_sparse import PatchExtractor, SlidingDCTDenoiser, SparseAnomalyDetector
from sk_sparse.datasets import add_noise, load_image

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def run_on_dask(client, function):
    """Run ``function`` under the Dask joblib backend; return its result and task count."""
    with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
        result = function()
    return result, len(stream.data)


@pytest.fixture(scope="module")
def noisy_stack():
    clean = np.stack([load_image(name)[:384, :448] for name in ("camera", "astronaut",
                                                                "brick")])
    return add_noise(clean, 20 / 255, random_state=0)


@pytest.mark.parametrize("weights", ["uniform", "sparsity"])
def test_denoising_a_stack_on_dask_is_identical(dask_client, noisy_stack, weights):
    denoiser = SlidingDCTDenoiser(sigma=20 / 255, weights=weights)
    expected = denoiser.transform(noisy_stack)  # sequential
    denoised, n_tasks = run_on_dask(dask_client,
                                    lambda: denoiser.set_params(n_jobs=2).transform(noisy_stack))
    assert n_tasks >= len(noisy_stack)  # at least one strip per image ran on the cluster
    np.testing.assert_array_equal(denoised, expected)


def test_denoising_with_estimated_sigma_on_dask_is_identical(dask_client, noisy_stack):
    # n_jobs=None inside the context: the context decides the parallelism.
    denoiser = SlidingDCTDenoiser(sigma="auto")
    expected = denoiser.transform(noisy_stack)
    denoised, n_tasks = run_on_dask(dask_client, lambda: denoiser.transform(noisy_stack))
    assert n_tasks > 0
    np.testing.assert_array_equal(denoised, expected)


@pytest.fixture(scope="module")
def fitted_detector():
    brick = load_image("brick")
    patches = PatchExtractor(patch_size=15, stride=6).fit_transform(brick[:200])
    return SparseAnomalyDetector(n_components=32, max_iter=2, random_state=0).fit(patches)


def test_anomaly_scoring_on_dask_is_identical(dask_client, fitted_detector):
    brick = load_image("brick")
    images = np.stack([brick[200:456, :256], brick[256:, 256:]])
    patches = PatchExtractor(patch_size=15, stride=8).fit_transform(images)
    expected_map = fitted_detector.anomaly_map(images)
    expected_scores = fitted_detector.score_samples(patches)

    parallel = fitted_detector.set_params(n_jobs=2)
    (anomaly_map, scores), n_tasks = run_on_dask(
        dask_client, lambda: (parallel.anomaly_map(images), parallel.score_samples(patches)))
    fitted_detector.set_params(n_jobs=None)
    assert n_tasks >= len(images)
    np.testing.assert_array_equal(anomaly_map, expected_map)
    np.testing.assert_array_equal(scores, expected_scores)
