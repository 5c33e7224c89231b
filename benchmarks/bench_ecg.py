"""Dictionary adaptation across heart rates (synthetic ECG, ``make_heartbeats``).

Run: ``python benchmarks/bench_ecg.py``. Eight training users are observed at both rates
r0 and r1 and give ``DictionaryAdapter`` its transform ``F`` (64 x 64). Four new users are
observed at r0 only; each gets a dictionary of 16 atoms learned on 150 of their beats at r0
and is tested on new beats at r1 with

(a) that dictionary, unadapted; (b) the dictionary adapted by ``F`` (default
``locality=1``); (b') adapted by the ``F`` whose ``locality`` (0.1, 0.3, 1 or 3) a
4-fold ``GridSearchCV`` over the eight *training* users picked with
``DictionaryAdapter.score`` (no beat of a test user is used); (c) the oracle: a
dictionary learned on 150 of the user's own beats at r1.

For reference, "home" is the error of the user's r0 dictionary on new beats at r0: what
that dictionary achieves in its own domain.

Reported per rate pair (mean over the four users): the relative reconstruction error
``||s - D x||^2 / ||s||^2`` of the BPDN codes (lambda = 0.02) of 100 normal beats at r1,
and the ROC AUC of the coding objective ``1/2 ||s - D x||^2 + lambda ||x||_1`` as an anomaly
score for these normal beats against 25 abnormal beats of each kind of
``BEAT_ANOMALIES``; the time to learn ``F``.
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
TRAIN_USERS, TEST_USERS = range(8), range(100, 104)


def code(atoms, signals):
    atoms = atoms / np.linalg.norm(atoms, axis=1, keepdims=True)
    codes = bpdn(signals, atoms, alpha=LAMBDA)
    residual = np.sum((signals - codes @ atoms) ** 2, axis=1)
    return residual, 0.5 * residual + LAMBDA * np.abs(codes).sum(axis=1)


def main():
    rows = []
    for r0, r1 in PAIRS:
        sources = [make_heartbeats(150, heart_rate=r0, user=u, random_state=u)
                   for u in TRAIN_USERS]
        targets = [make_heartbeats(150, heart_rate=r1, user=u, random_state=1000 + u)
                   for u in TRAIN_USERS]
        start = time.perf_counter()
        adapter = DictionaryAdapter(n_components=16, alpha=LAMBDA, random_state=0)
        adapter.fit(sources, targets)
        fit_time = time.perf_counter() - start
        search = GridSearchCV(DictionaryAdapter(n_components=16, alpha=LAMBDA, random_state=0),
                              {"locality": [0.1, 0.3, 1.0, 3.0]}, cv=4)
        tuned = search.fit(sources, targets).best_estimator_
        labels = ("unadapted", "adapted", "adapted CV", "oracle")
        errors = {label: [] for label in labels + ("home",)}
        aucs = {label: [] for label in labels}
        for u in TEST_USERS:
            own = make_heartbeats(150, heart_rate=r0, user=u, random_state=u)
            own_r1 = make_heartbeats(150, heart_rate=r1, user=u, random_state=2000 + u)
            normal = make_heartbeats(100, heart_rate=r1, user=u, random_state=3000 + u)
            abnormal = np.concatenate([
                make_heartbeats(25, heart_rate=r1, user=u, anomaly=kind,
                                random_state=4000 + 10 * u + k)
                for k, kind in enumerate(BEAT_ANOMALIES)])
            source_atoms = resolve_dictionary("mod", own, n_components=16, alpha=LAMBDA,
                                              random_state=0)[0]
            dictionaries = {
                "unadapted": source_atoms,
                "adapted": adapter.transform(source_atoms),
                "adapted CV": tuned.transform(source_atoms),
                "oracle": resolve_dictionary("mod", own_r1, n_components=16, alpha=LAMBDA,
                                             random_state=0)[0],
            }
            home = make_heartbeats(100, heart_rate=r0, user=u, random_state=5000 + u)
            errors["home"].append(code(source_atoms, home)[0].sum() / np.sum(home**2))
            for label, atoms in dictionaries.items():
                residual, score = code(atoms, normal)
                errors[label].append(residual.sum() / np.sum(normal**2))
                _, abnormal_score = code(atoms, abnormal)
                truth = np.r_[np.zeros(len(normal)), np.ones(len(abnormal))]
                aucs[label].append(roc_auc_score(truth, np.r_[score, abnormal_score]))
        mean = {label: float(np.mean(values)) for label, values in errors.items()}
        auc = {label: float(np.mean(values)) for label, values in aucs.items()}
        rows.append([f"{r0} -> {r1}", mean["unadapted"], mean["adapted"], mean["adapted CV"],
                     mean["oracle"], mean["home"], mean["adapted"] / mean["oracle"],
                     mean["adapted CV"] / mean["oracle"], mean["adapted"] / mean["unadapted"],
                     auc["unadapted"], auc["adapted"], auc["adapted CV"], auc["oracle"],
                     search.best_params_["locality"], fit_time])
        print(f"  done {r0} -> {r1} bpm ({fit_time:.1f} s to learn F)", flush=True)
    print()
    print_table(["rates bpm", "error unadapted", "adapted", "adapted CV", "oracle", "home",
                 "adapted/oracle", "CV/oracle", "adapted/unadapted", "AUC unadapted",
                 "AUC adapted", "AUC CV", "AUC oracle", "CV locality", "learn F s"], rows,
                ["s"] + [".4f"] * 5 + [".2f", ".2f", ".3f"] + [".3f"] * 4 + ["g", ".1f"])


if __name__ == "__main__":
    main()
