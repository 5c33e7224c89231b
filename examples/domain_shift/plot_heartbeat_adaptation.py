"""
==============================================
Adapting a dictionary to another heart rate
==============================================

A user's heartbeats change shape with the heart rate: the QT interval shortens, the QRS
complex does not (:func:`~sk_sparse.datasets.make_heartbeats`). A dictionary learned on
the user's beats at 60 beats per minute represents their beats at 120 poorly.
:class:`~sk_sparse.decomposition.DictionaryAdapter` learns, from other users observed at
both rates, one linear transform ``F`` that maps any user's dictionary to the new rate;
a new user needs beats at 60 bpm only.

The left panel shows the same user's mean beat at both rates; the right one the relative
reconstruction error of the user's beats at 120 bpm with the dictionary learned at 60
bpm, the adapted one, and an oracle learned on beats at 120 bpm.
"""

import matplotlib.pyplot as plt
import numpy as np

from sk_sparse.coding import bpdn
from sk_sparse.datasets import make_heartbeats
from sk_sparse.decomposition import DictionaryAdapter, resolve_dictionary

sources = [make_heartbeats(100, heart_rate=60, user=u, random_state=u) for u in range(6)]
targets = [make_heartbeats(100, heart_rate=120, user=u, random_state=50 + u)
           for u in range(6)]
adapter = DictionaryAdapter(n_components=12, random_state=0).fit(sources, targets)

# A new user, seen at 60 bpm only.
slow = make_heartbeats(100, heart_rate=60, user=42, random_state=1)
fast = make_heartbeats(100, heart_rate=120, user=42, random_state=2)
own = resolve_dictionary("mod", slow, n_components=12, alpha=0.02, random_state=0)[0]
oracle = resolve_dictionary("mod", make_heartbeats(100, heart_rate=120, user=42,
                                                   random_state=3),
                            n_components=12, alpha=0.02, random_state=0)[0]


def relative_error(atoms, beats):
    atoms = atoms / np.linalg.norm(atoms, axis=1, keepdims=True)
    codes = bpdn(beats, atoms, alpha=0.02)
    return np.sum((beats - codes @ atoms) ** 2) / np.sum(beats**2)


errors = {"learned at 60 bpm": relative_error(own, fast),
          "adapted to 120 bpm": relative_error(adapter.transform(own), fast),
          "oracle (120 bpm)": relative_error(oracle, fast)}
for label, value in errors.items():
    print(f"{label:20s} relative error {value:.4f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
phase = np.linspace(-0.35, 0.65, slow.shape[1])
left.plot(phase, slow.mean(axis=0), label="60 bpm")
left.plot(phase, fast.mean(axis=0), label="120 bpm")
left.set_xlabel("time / RR interval (R at 0)")
left.set_ylabel("mV")
left.set_title("one user's mean beat")
left.legend()
right.bar(list(errors), list(errors.values()), color=["tab:red", "tab:green", "tab:gray"])
right.set_yscale("log")
right.set_title("error on the user's beats at 120 bpm")
plt.tight_layout()
plt.show()
