"""Optional OpenTelemetry tracing, on only when an OTLP endpoint is configured.

FastAPI records a span per request (named by method and route template) into the tracer
provider it is given; this builds that provider, exporting over OTLP/HTTP in batches off the
request path. The packages are an optional extra (`pip install 'raypx[otel]'`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from raypx.errors import ConfigurationError
from raypx.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


def tracer_provider(settings: Settings) -> TracerProvider | None:
    if not settings.otlp_endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ConfigurationError(
            "RAYPX_OTLP_ENDPOINT is set but OpenTelemetry is not installed "
            "(pip install 'raypx[otel]')"
        ) from None
    provider = TracerProvider(resource=Resource.create({"service.name": "raypx"}))
    endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider
