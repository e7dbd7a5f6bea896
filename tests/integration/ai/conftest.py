"""The app harness lives in tests/integration/conftest.py; re-exported for older imports."""

from tests.integration.conftest import Api, api_settings

__all__ = ["Api", "api_settings"]
