"""The AI runtime of one process: the model registry and provider instances, from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from raypx.ai.providers import Providers
from raypx.ai.registry import ModelRegistry
from raypx.settings import Settings


@dataclass
class AIRuntime:
    registry: ModelRegistry
    providers: Providers
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> AIRuntime:
        return cls(ModelRegistry.from_settings(settings), Providers(settings), settings)


# The Settings object is kept with its runtime so its id cannot be reused by another one.
_by_settings: dict[int, tuple[Settings, AIRuntime]] = {}


def runtime_for(settings: Settings) -> AIRuntime:
    """One runtime per Settings object, so a worker reuses HTTP pools across jobs."""
    key = id(settings)
    if key not in _by_settings:
        _by_settings[key] = (settings, AIRuntime.from_settings(settings))
    return _by_settings[key][1]
