"""Uploaded documents: storage, text extraction, summaries."""
