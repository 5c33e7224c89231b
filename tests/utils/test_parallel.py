"""The task runner's thread limits: OpenMP per task, as it is a per-thread setting."""

import pytest
from threadpoolctl import threadpool_limits

from sk_sparse.utils._parallel import _openmp_threads, run_tasks

pytestmark = pytest.mark.skipif(_openmp_threads() is None, reason="no OpenMP runtime")


def _limit(_):
    return _openmp_threads()


def test_tasks_side_by_side_get_one_openmp_thread_each():
    # Scikit-learn's neighbour searches use every OpenMP thread whatever their n_jobs;
    # two such tasks on two workers would share the cores among four threads.
    assert list(run_tasks(_limit, [(i,) for i in range(4)], n_jobs=2)) == [1] * 4


def test_a_lone_task_keeps_the_callers_limit_in_a_worker_thread():
    # A thread that joblib starts does not inherit the caller's OpenMP limit (it is per
    # thread) but starts from OpenMP's default; the runner passes the caller's on. Two
    # limits, so that whatever the default, one of them differs from it.
    for limit in (1, 2):
        with threadpool_limits(limits=limit, user_api="openmp"):
            assert list(run_tasks(_limit, [(0,)], n_jobs=2)) == [limit]
