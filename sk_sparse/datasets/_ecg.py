"""Synthetic heartbeats whose shape depends on the heart rate (ECGSYN-style)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._compat import Interval, StrOptions, validate_params

# The abnormal beats make_heartbeats can draw.
BEAT_ANOMALIES = ("ventricular", "st_elevation", "inverted_t", "noise_burst")

# The five waves at 60 beats per minute: (amplitude in mV, centre in s relative to the R
# peak, width in s). P and T move with the rate (PR and QT shorten), Q, R and S do not.
_WAVES = {
    "P": (0.15, -0.20, 0.025),
    "Q": (-0.12, -0.035, 0.010),
    "R": (1.00, 0.0, 0.011),
    "S": (-0.25, 0.035, 0.011),
    "T": (0.30, 0.30, 0.060),
}
# Per-user variation of the wave parameters (relative standard deviations).
_USER_SPREAD = {"amplitude": 0.25, "centre": 0.10, "width": 0.15}
# The segment around R, in RR intervals: from _BEFORE * RR before R to _AFTER * RR after.
_BEFORE, _AFTER = 0.35, 0.65


def _user_waves(user):
    """The wave parameters of one user (deterministic in ``user``)."""
    rng = np.random.RandomState(user)
    waves = {}
    for name, (amplitude, centre, width) in _WAVES.items():
        waves[name] = (
            amplitude * (1 + _USER_SPREAD["amplitude"] * rng.randn()),
            centre * (1 + _USER_SPREAD["centre"] * rng.randn()),
            width * (1 + _USER_SPREAD["width"] * rng.randn()),
        )
    return waves


@validate_params(
    {
        "n_beats": [Interval(Integral, 1, None, closed="left")],
        "heart_rate": [Interval(Real, 20, 250, closed="both")],
        "n_samples": [Interval(Integral, 8, None, closed="left")],
        "user": [Interval(Integral, 0, None, closed="left")],
        "anomaly": [StrOptions(set(BEAT_ANOMALIES)), None],
        "severity": [Interval(Real, 0, 1, closed="right")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_heartbeats(n_beats=100, *, heart_rate=60.0, n_samples=64, user=0, anomaly=None,
                    severity=1.0, noise=0.02, random_state=None):
    """Synthetic ECG heartbeats of one user at one heart rate, segmented around R.

    Each beat is a sum of five Gaussian waves P, Q, R, S, T (the morphology model of
    ECGSYN, McSharry et al., 2003) whose timing depends on the RR interval
    ``RR = 60 / heart_rate`` seconds: the QT interval shortens with the rate following
    Bazett's formula (the T wave's delay and width scale with ``sqrt(RR)``), the PR
    interval shortens a little (``RR ** 0.25``), and the QRS complex keeps its duration.
    Every user has their own amplitudes, delays and widths (drawn once from ``user``);
    every beat varies a little (5% in amplitude, 2% in RR) and gets white noise and a slow
    baseline drift. Beats are segmented from ``0.35 RR`` before R to ``0.65 RR`` after it
    and resampled to ``n_samples``, so the same user's beats change shape with the rate:
    the domain shift a dictionary learned at one rate meets at another.

    Parameters
    ----------
    n_beats : int, default=100
        Number of beats.
    heart_rate : float in [20, 250], default=60.0
        Beats per minute.
    n_samples : int, default=64
        Samples per segmented beat.
    user : int, default=0
        Seeds the user's morphology (the same user at every rate).
    anomaly : {"ventricular", "st_elevation", "inverted_t", "noise_burst"} or None, \
            default=None
        Abnormal beats: a wide QRS without P wave and with a discordant T (ventricular
        ectopic beat), a raised ST segment, an inverted T wave, or a burst of strong noise
        over a fifth of the beat.
    severity : float in (0, 1], default=1.0
        How far an abnormal beat departs from the user's normal one: 1 gives the beats
        above; smaller values move each altered parameter that fraction of the way from
        its normal value (QRS widened by ``1 + 2 * severity`` times, P and T amplitudes
        interpolated, ST raised by ``0.15 * severity`` mV, burst noise of
        ``0.3 * severity`` mV). Subtle anomalies make detectors' differences visible
        where full ones are all caught. Ignored for normal beats.
    noise : float, default=0.02
        Standard deviation of the white noise, in mV (R is about 1 mV).
    random_state : int, RandomState instance or None, default=None
        Seeds the beat-to-beat variation and the noise.

    Returns
    -------
    beats : ndarray of shape (n_beats, n_samples)
        One segmented beat per row, in mV.

    References
    ----------
    P. E. McSharry, G. D. Clifford, L. Tarassenko and L. A. Smith, "A dynamical model for
    generating synthetic electrocardiogram signals", IEEE Transactions on Biomedical
    Engineering, 50(3), 2003.

    Examples
    --------
    >>> from sk_sparse.datasets import make_heartbeats
    >>> slow = make_heartbeats(5, heart_rate=60, random_state=0)
    >>> fast = make_heartbeats(5, heart_rate=120, random_state=0)
    >>> slow.shape, int(slow[0].argmax()) == int(fast[0].argmax())  # R at the same place
    ((5, 64), True)
    """
    rng = check_random_state(random_state)
    waves = _user_waves(user)
    beats = np.empty((n_beats, n_samples))
    phase = np.linspace(-_BEFORE, _AFTER, n_samples)
    for b in range(n_beats):
        rr = 60.0 / heart_rate * (1 + 0.02 * rng.randn())
        t = phase * rr  # seconds relative to R
        beat = np.zeros(n_samples)
        for name, (amplitude, centre, width) in waves.items():
            amplitude = amplitude * (1 + 0.05 * rng.randn())
            if name == "T":
                centre, width = centre * np.sqrt(rr), width * np.sqrt(rr)
            elif name == "P":
                centre = centre * rr**0.25
            if anomaly == "ventricular":
                # (1 - severity) * normal + severity * abnormal, written so that severity 1
                # gives the abnormal values exactly.
                if name == "P":
                    amplitude = (1 - severity) * amplitude
                if name in ("Q", "R", "S"):
                    width, centre = width * (1 + 2 * severity), centre * (1 + severity)
                if name == "T":
                    amplitude = (1 - severity) * amplitude - severity * 1.5 * abs(amplitude)
            if anomaly == "inverted_t" and name == "T":
                amplitude = (1 - severity) * amplitude - severity * abs(amplitude)
            beat += amplitude * np.exp(-0.5 * ((t - centre) / width) ** 2)
        if anomaly == "st_elevation":
            s_end = waves["S"][1] + 2 * waves["S"][2]
            t_peak = waves["T"][1] * np.sqrt(rr)
            beat += 0.15 * severity * ((t > s_end) & (t < t_peak))
        beat += 0.05 * np.sin(2 * np.pi * (0.2 * t + rng.rand()))  # baseline drift
        beat += noise * rng.randn(n_samples)
        if anomaly == "noise_burst":
            start = rng.randint(0, n_samples - n_samples // 5 + 1)
            beat[start:start + n_samples // 5] += 0.3 * severity * rng.randn(n_samples // 5)
        beats[b] = beat
    return beats
