"""The web UI: one page and its assets, talking to the same JSON API as everyone else."""
