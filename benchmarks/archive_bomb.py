"""Peak memory and CPU of extracting a DOCX bomb (1 MB on disk, `--inflated-mib` inflated).

Run:  python benchmarks/archive_bomb.py [--inflated-mib 1024] [--lying]
Extraction runs in a fresh child process; its peak RSS (ru_maxrss) and CPU seconds are printed
with the outcome (the text length, or the failure code).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.archive_bomb import docx_bomb, lying_docx_bomb

CHILD = """
import sys
from raypx.documents.extraction import ExtractionFailed, extract_text
from raypx.documents.sniffing import DOCX
try:
    print("extracted", len(extract_text(open(sys.argv[1], "rb").read(), DOCX).text), "chars")
except ExtractionFailed as exc:
    print("failed", exc.code, "-", exc.message)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inflated-mib", type=int, default=1024)
    parser.add_argument("--lying", action="store_true", help="headers declare 1 KiB")
    args = parser.parse_args()
    data = (lying_docx_bomb if args.lying else docx_bomb)(args.inflated_mib)
    with tempfile.NamedTemporaryFile(suffix=".docx") as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run([sys.executable, "-c", CHILD, handle.name], capture_output=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"file {len(data) / 1e6:.2f} MB, inflates to {args.inflated_mib} MiB")
    print((done.stdout or done.stderr).decode().strip().splitlines()[-1][:300])
    print(f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB, CPU {usage.ru_utime + usage.ru_stime:.1f} s")


if __name__ == "__main__":
    main()
