"""Raypx: a self-hostable AI SaaS backend on PostgreSQL."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("raypx")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
