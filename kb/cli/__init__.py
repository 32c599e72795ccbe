"""The `kb` command line. Each submodule registers its commands on the group in kb.cli.app."""

from __future__ import annotations

from kb.cli import exposure, labels, releases, store  # noqa: F401  (registers commands)
from kb.cli.app import cli


def main() -> None:
    cli(prog_name="kb")


__all__ = ["cli", "main"]
