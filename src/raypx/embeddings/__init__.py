"""Text embeddings: models named like chat models, providers, and the vectors of chunks."""
