"""Object storage for uploaded files: one interface, a local and an S3-compatible backend."""
