"""The `kb` command line: kb.cli.app's `cli` group, whose commands are imported when they run.

`kb --help` and `kb --version` import click and kb.cli.app only; each command imports the library
it wraps when it runs.
"""

from __future__ import annotations

from kb.cli.app import cli


def main() -> None:
    cli(prog_name="kb")


__all__ = ["cli", "main"]
