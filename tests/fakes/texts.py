"""Long text for CPU-bound tests, the same on every run."""

from __future__ import annotations

import random


def varied_text(sentences: int) -> str:
    """Text the summariser cannot shortcut: no sentence repeats (~105 characters each)."""
    rng = random.Random(sentences)
    words = ["".join(rng.choices("abcdefghijklmnop", k=rng.randint(3, 9))) for _ in range(3000)]
    return " ".join(" ".join(rng.choices(words, k=15)).capitalize() + "." for _ in range(sentences))
