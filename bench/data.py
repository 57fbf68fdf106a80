"""The benchmark's data sets: synthetic facts (metrics/synth.py) cached under var/bench/."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
SEED = 0


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
    import django

    django.setup()


def parse_size(text: str) -> int:
    """'1M' → 1_000_000, '250k' → 250_000, '1000' → 1000."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 1M, 10M, 250k)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def facts_dir(size: int, seed: int = SEED) -> Path:
    return CACHE / f"{label(size)}-seed{seed}" / "facts"


def ensure(size: int, seed: int = SEED) -> tuple[Path, float | None]:
    """The facts directory of this size, generated when missing; returns it and the
    generation time in seconds (None when it was cached)."""
    setup_django()
    from marketdesk.metrics import synth

    path = facts_dir(size, seed)
    started = time.perf_counter()
    _manifest, made = synth.cached(path, size, seed)
    return path, (time.perf_counter() - started) if made else None
