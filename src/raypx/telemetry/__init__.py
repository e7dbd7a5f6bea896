"""Operational telemetry: Prometheus metrics (multi-process safe) and optional tracing."""
