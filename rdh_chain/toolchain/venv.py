"""``python -m rdh_chain.toolchain.venv``: the project's virtualenv finds the pinned solc.

py-solc-x, through which ape-solidity runs and installs compilers, looks for
``solc-v<version>`` in ``$SOLCX_BINARY_PATH``, else in ``~/.solcx``; finding neither, it
downloads one. ``make install`` runs this module, which writes the pinned compiler's
wrapper (npm's WebAssembly solc, as ``make build`` does) into ``<root>/.build/solcx`` and a
``.pth`` file into the virtualenv's site-packages that sets ``SOLCX_BINARY_PATH`` to it for
every Python of the virtualenv (unless it is set already). So ``.venv/bin/ape compile``
works as it is, offline, without the Makefile's environment.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

from rdh_chain.exceptions import RdhChainError, ToolchainError
from rdh_chain.toolchain.compiler import (
    SOLCX_BINARY_PATH_ENV,
    install_solc_wrapper,
    load_pin,
)
from rdh_chain.toolchain.layout import ProjectLayout

HOOK_NAME = "rdh-chain-solc.pth"


def hook_text(solcx_dir: Path) -> str:
    """The ``.pth`` line: site runs a line that starts with ``import`` at every start-up."""
    return (
        f"import os; os.environ.setdefault({SOLCX_BINARY_PATH_ENV!r}, {str(solcx_dir)!r})"
        "  # rdh-chain: py-solc-x and ape-solidity find the pinned solc here\n"
    )


def site_packages() -> Path:
    """The running virtualenv's site-packages; refuses a Python outside a virtualenv, whose
    site-packages are not the project's to change."""
    if sys.prefix == sys.base_prefix:
        raise ToolchainError(
            f"{sys.executable} is not a virtualenv's Python; run this with the project's "
            "(.venv/bin/python -m rdh_chain.toolchain.venv, as `make install` does)."
        )
    return Path(sysconfig.get_paths()["purelib"])


def install_site_hook(solcx_dir: Path, site_dir: Path | None = None) -> Path:
    """Write the ``.pth`` hook naming ``solcx_dir`` (rewritten only when it differs)."""
    path = (site_dir or site_packages()) / HOOK_NAME
    text = hook_text(solcx_dir.resolve())
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        tmp = path.with_name(f".{HOOK_NAME}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def main() -> int:
    layout = ProjectLayout.default()
    solcx_dir = layout.root / ".build" / "solcx"
    try:
        pin = load_pin(layout.ape_config)
        install_solc_wrapper(pin, solcx_dir, layout=layout)
        hook = install_site_hook(solcx_dir)
    except RdhChainError as exc:
        print(f"install failed: {exc}", file=sys.stderr)
        return 1
    print(f"solc {pin.version} for ape and py-solc-x: {solcx_dir} (set by {hook})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
