"""Dictionary adaptation across heart rates (synthetic ECG, ``make_heartbeats``).

Run: ``python benchmarks/bench_ecg.py``. Training users observed at both rates r0 and r1
give ``DictionaryAdapter`` its transform ``F`` (64 x 64): a population of 8, then of 32
users (the transform is user-independent, so how many users it is learned from is part
of the measurement). Eight new users are observed at r0 only; each gets a dictionary of 16
atoms learned on 150 of their beats at r0 and is tested on new beats at r1 with

(a) that dictionary, unadapted; (b) the dictionary adapted by ``F`` (defaults: each training
user's dictionary learned from four random starts); (b') adapted by the ``F`` whose
``locality`` (0.1, 0.3, 1) and ``l2_penalty`` (3e-6, 1e-5, 3e-5) a 4-fold ``GridSearchCV``
over the *training* users picked with ``DictionaryAdapter.score`` (no beat of a test user
is used; the folds run on two processes); (c) the oracle: a dictionary learned on 150 of
the user's own beats at r1.

For reference, "home" is the error of the user's r0 dictionary on new beats at r0: what
that dictionary achieves in its own domain.

Reported per rate pair and population (mean over the eight new users): the relative
reconstruction error ``||s - D x||^2 / ||s||^2`` of the BPDN codes (lambda = 0.02) of 100
normal beats at r1, and the ROC AUC of the coding objective
``1/2 ||s - D x||^2 + lambda ||x||_1`` as an anomaly score for these normal beats against
25 abnormal beats of each kind of ``BEAT_ANOMALIES``, at full severity and at severity 0.3
(subtler beats, which the full ones are too easy to tell apart); the time to learn ``F``.
"""

from __future__ import annotations

import time

import numpy as np
from _common import print_table
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV

from sk_sparse.coding import bpdn
from sk_sparse.datasets import BEAT_ANOMALIES, make_heartbeats
from sk_sparse.decomposition import DictionaryAdapter, resolve_dictionary

LAMBDA = 0.02
PAIRS = ((60, 100), (60, 140), (100, 60))
POPULATIONS = (8, 32)
TEST_USERS = range(100, 108)
SEVERITIES = (1.0, 0.3)
LABELS = ("unadapted", "adapted", "adapted CV", "oracle")


def code(atoms, signals):
    atoms = atoms / np.linalg.norm(atoms, axis=1, keepdims=True)
    codes = bpdn(signals, atoms, alpha=LAMBDA)
    residual = np.sum((signals - codes @ atoms) ** 2, axis=1)
    return residual, 0.5 * residual + LAMBDA * np.abs(codes).sum(axis=1)


def measure(r0, r1, adapters):
    """Mean relative errors (with "home") and AUCs per severity of the new users."""
    errors = {label: [] for label in LABELS + ("home",)}
    aucs = {(label, severity): [] for label in LABELS for severity in SEVERITIES}
    for u in TEST_USERS:
        own = make_heartbeats(150, heart_rate=r0, user=u, random_state=u)
        own_r1 = make_heartbeats(150, heart_rate=r1, user=u, random_state=2000 + u)
        normal = make_heartbeats(100, heart_rate=r1, user=u, random_state=3000 + u)
        source_atoms = resolve_dictionary("mod", own, n_components=16, alpha=LAMBDA,
                                          random_state=0)[0]
        dictionaries = {
            "unadapted": source_atoms,
            "adapted": adapters["adapted"].transform(source_atoms),
            "adapted CV": adapters["adapted CV"].transform(source_atoms),
            "oracle": resolve_dictionary("mod", own_r1, n_components=16, alpha=LAMBDA,
                                         random_state=0)[0],
        }
        home = make_heartbeats(100, heart_rate=r0, user=u, random_state=5000 + u)
        errors["home"].append(code(source_atoms, home)[0].sum() / np.sum(home**2))
        abnormal = {severity: np.concatenate([
            make_heartbeats(25, heart_rate=r1, user=u, anomaly=kind, severity=severity,
                            random_state=4000 + 10 * u + k)
            for k, kind in enumerate(BEAT_ANOMALIES)]) for severity in SEVERITIES}
        for label, atoms in dictionaries.items():
            residual, score = code(atoms, normal)
            errors[label].append(residual.sum() / np.sum(normal**2))
            for severity, beats in abnormal.items():
                _, abnormal_score = code(atoms, beats)
                truth = np.r_[np.zeros(len(normal)), np.ones(len(beats))]
                aucs[label, severity].append(roc_auc_score(truth,
                                                           np.r_[score, abnormal_score]))
    return ({label: float(np.mean(v)) for label, v in errors.items()},
            {key: float(np.mean(v)) for key, v in aucs.items()})


def main():
    error_rows, auc_rows = [], []
    for r0, r1 in PAIRS:
        for n_users in POPULATIONS:
            sources = [make_heartbeats(150, heart_rate=r0, user=u, random_state=u)
                       for u in range(n_users)]
            targets = [make_heartbeats(150, heart_rate=r1, user=u, random_state=1000 + u)
                       for u in range(n_users)]
            start = time.perf_counter()
            adapter = DictionaryAdapter(n_components=16, alpha=LAMBDA, random_state=0)
            adapter.fit(sources, targets)
            fit_time = time.perf_counter() - start
            search = GridSearchCV(
                DictionaryAdapter(n_components=16, alpha=LAMBDA, random_state=0),
                {"locality": [0.1, 0.3, 1.0], "l2_penalty": [3e-6, 1e-5, 3e-5]}, cv=4,
                n_jobs=2)
            tuned = search.fit(sources, targets).best_estimator_
            mean, auc = measure(r0, r1, {"adapted": adapter, "adapted CV": tuned})
            case = [f"{r0} -> {r1}", n_users]
            error_rows.append(case + [
                mean["unadapted"], mean["adapted"], mean["adapted CV"], mean["oracle"],
                mean["home"], mean["adapted"] / mean["oracle"],
                mean["adapted CV"] / mean["oracle"], mean["adapted"] / mean["unadapted"],
                f"{search.best_params_['locality']:g} / {search.best_params_['l2_penalty']:g}",
                fit_time])
            auc_rows.append(case + [auc[label, severity] for severity in SEVERITIES
                                    for label in LABELS])
            print(f"  done {r0} -> {r1} bpm, {n_users} training users ({fit_time:.1f} s to "
                  "learn F)", flush=True)
    print()
    print_table(["rates bpm", "users", "error unadapted", "adapted", "adapted CV", "oracle",
                 "home", "adapted/oracle", "CV/oracle", "adapted/unadapted",
                 "CV locality / l2", "learn F s"], error_rows,
                ["s", "d"] + [".4f"] * 5 + [".2f", ".2f", ".3f", "s", ".1f"])
    print()
    print("ROC AUC of the coding objective, normal beats against abnormal ones:")
    print_table(["rates bpm", "users"] + [f"{label} sev {severity:g}" for severity in SEVERITIES
                                          for label in LABELS], auc_rows,
                ["s", "d"] + [".3f"] * (len(LABELS) * len(SEVERITIES)))


if __name__ == "__main__":
    main()
