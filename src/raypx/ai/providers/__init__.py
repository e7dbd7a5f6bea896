"""Providers by name. One instance per provider per process (they hold HTTP connection pools)."""

from __future__ import annotations

from raypx.ai.providers.base import Provider
from raypx.ai.providers.fake import FakeProvider
from raypx.ai.providers.mock import MockProvider
from raypx.ai.providers.openai_compat import OpenAICompatibleProvider
from raypx.ai.registry import ModelSpec
from raypx.errors import Invalid
from raypx.settings import Settings


class Providers:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.instances: dict[str, Provider] = {}

    def for_model(self, spec: ModelSpec) -> Provider:
        name = spec.provider
        if name not in self.instances:
            self.instances[name] = self.build(name)
        return self.instances[name]

    def build(self, name: str) -> Provider:
        if name == "mock":
            return MockProvider()
        if name == "fake" and self.settings.ai_enable_fake:
            return FakeProvider()
        if name == "openai":
            key = self.settings.openai_api_key
            return OpenAICompatibleProvider(
                self.settings.openai_base_url,
                key.get_secret_value() if key else None,
                timeout=self.settings.ai_timeout_seconds,
                max_retries=self.settings.ai_max_retries,
            )
        raise Invalid(f"unknown AI provider {name!r}", code="UNKNOWN_PROVIDER")

    async def aclose(self) -> None:
        for provider in self.instances.values():
            if isinstance(provider, OpenAICompatibleProvider):
                await provider.aclose()
        self.instances.clear()
