"""AI: model registry, providers, the offline text engines and tasks."""
