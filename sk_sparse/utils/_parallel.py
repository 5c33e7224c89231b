"""The one runner for parallel work: chunks of rows (coding) and strips of images.

Every kernel that splits its work (OMP and BPDN over chunks of signals, the image
estimators over horizontal strips) goes through :func:`run_tasks`, so that they share

* one memory budget per task (:data:`WORK_BUDGET` working values; each caller states how
  many values one row of its work needs),
* one policy for BLAS threads: tasks run with a single BLAS thread. Their matrix
  products are small (a strip of patches times an 8 x 8 DCT, a chunk of signals times a
  dictionary); BLAS threads gain nothing there, and on a busy machine they spin against
  joblib's workers and against each other (measured: a 10x slowdown of the denoiser on a
  loaded 2-core machine). Parallelism comes from joblib, over tasks; for the same
  reason OpenMP (used by scikit-learn's neighbour searches) gets one thread per task
  when tasks may run side by side, and otherwise the caller's limit;
* one way to call joblib: :class:`sklearn.utils.parallel.Parallel`, threads preferred
  (NumPy releases the GIL), any :func:`joblib.parallel_config` backend honoured (Dask
  included), results consumed in task order, as a generator where the backend supports
  it (bounded memory) and as a list where it does not (``multiprocessing``).

Determinism: a task computes the same bits whichever worker runs it, because the
chunking depends only on the data's shape and the budget (never on ``n_jobs``) and BLAS
runs single-threaded in every task. Results are therefore identical for every ``n_jobs``
and every backend on one machine.
"""

from __future__ import annotations

import os
from contextlib import nullcontext

from joblib import effective_n_jobs
from sklearn.utils import gen_even_slices
from sklearn.utils.parallel import Parallel, delayed

# Working values (array elements) one task may hold: 8 MiB of float64 per array. Small
# enough to stay near the cache and to bound peak memory whatever the input size.
WORK_BUDGET = 2**20

_CONTROLLER = None


def _controller():
    """threadpoolctl's controller of BLAS and OpenMP, created once (inspecting the loaded
    libraries is slow)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def single_blas_thread():
    """Context manager limiting BLAS to one thread (a no-op when no BLAS is found)."""
    controller = _controller()
    if not controller.select(user_api="blas").lib_controllers:
        return nullcontext()
    return controller.limit(limits=1, user_api="blas")


def _openmp_threads():
    """The calling thread's OpenMP thread limit (None without an OpenMP runtime)."""
    libraries = _controller().select(user_api="openmp").lib_controllers
    return min(library.num_threads for library in libraries) if libraries else None


def _openmp_limit(threads):
    """Context manager setting OpenMP's limit in the calling thread (a per-thread
    setting: threads that joblib starts do not inherit it)."""
    if threads is None:
        return nullcontext()
    return _controller().limit(limits=threads, user_api="openmp")


def rows_per_task(values_per_row: int) -> int:
    """Rows of work that fit in :data:`WORK_BUDGET` working values (at least one)."""
    return max(1, WORK_BUDGET // max(int(values_per_row), 1))


def even_slices(n_rows: int, values_per_row: int) -> list[slice]:
    """Even slices of ``range(n_rows)``, each within the budget; empty for no rows."""
    if n_rows == 0:
        return []
    n_tasks = -(-n_rows // rows_per_task(values_per_row))
    return list(gen_even_slices(n_rows, n_tasks))


def _run_in_worker(function, parent_pid, concurrent, caller_openmp, *args):
    # In the calling process the BLAS limit is already set around the whole run (setting
    # it per task from several threads would race on restoring it); a worker process
    # (loky, multiprocessing, Dask) sets its own. OpenMP's limit is per thread, so a
    # task sets it where it runs: one thread beside other tasks, else the caller's limit
    # (in the caller's process only; another machine keeps its own).
    if os.getpid() == parent_pid:
        with _openmp_limit(1 if concurrent else caller_openmp):
            return function(*args)
    with single_blas_thread(), _openmp_limit(1 if concurrent else None):
        return function(*args)


def run_tasks(function, argument_tuples, *, n_jobs=None):
    """Yield ``function(*arguments)`` for each tuple, in order, run by joblib.

    Parameters
    ----------
    function : callable
    argument_tuples : list of tuple
        One tuple of positional arguments per task. Each task should carry only the data
        it needs (a strip, a chunk): that is all a remote worker is sent.
    n_jobs : int, default=None
        joblib's ``n_jobs``; None means 1 unless in a :func:`joblib.parallel_config`
        context.

    Yields
    ------
    result
        The result of each task, in the order of ``argument_tuples``.
    """
    parent = os.getpid()
    # OpenMP (scikit-learn's neighbour searches use it, whatever their n_jobs) gets one
    # thread per task when tasks may run side by side: with two OpenMP threads beside a
    # task on the other core of two, the neighbour search slowed the convolutional
    # detector by about a third. Otherwise a task keeps the caller's limit, which the
    # threads joblib starts would not inherit.
    workers = effective_n_jobs(n_jobs)
    concurrent = len(argument_tuples) > 1 and workers > 1
    # With one job the tasks run in the calling thread, under its own limit already.
    caller_openmp = _openmp_threads() if workers > 1 and not concurrent else None
    tasks = [delayed(_run_in_worker)(function, parent, concurrent, caller_openmp, *arguments)
             for arguments in argument_tuples]
    with single_blas_thread():
        try:
            parallel = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")
        except ValueError:  # a backend without generator support (multiprocessing)
            parallel = Parallel(n_jobs=n_jobs, prefer="threads")
        yield from parallel(tasks)


def run_chunks(function, row_arrays, shared=(), *, values_per_row, n_jobs=None):
    """``function(*chunk_rows, *shared)`` for each chunk of rows, run by :func:`run_tasks`.

    The chunk runner of the coding kernels. Each task receives only its own rows of each
    array of ``row_arrays`` (None entries stay None), then the ``shared`` arguments.

    Parameters
    ----------
    function : callable
        A module-level function (picklable), returning the result for its rows.
    row_arrays : tuple of ndarray or None
        Arrays with one entry per row (signals, per-signal tolerances...).
    shared : tuple, default=()
        Arguments every task receives whole (the dictionary...).
    values_per_row : int
        Working values one row needs; sets the rows per task.
    n_jobs : int, default=None

    Returns
    -------
    results : list
        One result per chunk, in row order.
    """
    n_rows = len(next(array for array in row_arrays if array is not None))
    arguments = [(*(None if array is None else array[rows] for array in row_arrays), *shared)
                 for rows in even_slices(n_rows, values_per_row)]
    return list(run_tasks(function, arguments, n_jobs=n_jobs))
