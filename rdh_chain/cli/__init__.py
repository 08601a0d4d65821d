"""The ``rdh`` command-line interface (``rdh --help`` lists the commands)."""

from rdh_chain.cli.main import app

__all__ = ["app"]
