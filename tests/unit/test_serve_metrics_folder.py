"""`serve --workers` keeps Prometheus' per-process files under RAYPX_HOME/metrics/<pid> and
clears what servers that were killed left there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from raypx.cli.serve import metrics_folder


def test_folders_of_dead_servers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / "metrics" / finished.stdout.strip()  # that process has exited
    dead.mkdir(parents=True)
    (dead / "counter_1.db").write_bytes(b"stale")
    live = tmp_path / "metrics" / str(os.getppid())  # our parent is alive
    live.mkdir()
    folder = metrics_folder(tmp_path)
    assert folder == tmp_path / "metrics" / str(os.getpid())
    assert folder.is_dir() and not any(folder.iterdir())
    assert not dead.exists()
    assert live.exists()
