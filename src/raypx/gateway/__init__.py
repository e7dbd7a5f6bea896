"""The OpenAI-compatible API (/v1): wire format, metering, providers."""
