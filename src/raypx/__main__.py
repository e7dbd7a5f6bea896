"""`python -m raypx` is the `raypx` command."""

from raypx.cli.app import main

main()
