"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import time

import numpy as np


def median_time(function, *args, repeat: int = 5, **kwargs):
    """Median wall time of ``function(*args, **kwargs)`` after one warm-up call; returns
    ``(seconds, last_result)``."""
    result = function(*args, **kwargs)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def print_table(header: list[str], rows: list[list], formats: list[str]) -> None:
    """Print rows as an aligned plain-text (Markdown-compatible) table."""
    cells = [header] + [[format(value, fmt) for value, fmt in zip(row, formats)] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        print("| " + " | ".join(cell.rjust(width) for cell, width in zip(row, widths)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
