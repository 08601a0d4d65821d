"""``python -m rdh_chain.toolchain [--force]``: the build step behind ``make build``."""

from __future__ import annotations

import argparse
import logging
import sys

from rdh_chain.exceptions import RdhChainError
from rdh_chain.toolchain.artifacts import ensure_built
from rdh_chain.toolchain.compiler import install_solc_wrapper, load_pin
from rdh_chain.toolchain.layout import ProjectLayout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rdh_chain.toolchain",
        description=(
            "Compile contracts/ into rdh_chain/_build/contracts.json if the sources changed."
        ),
    )
    parser.add_argument("--force", action="store_true", help="recompile even if up to date")
    args = parser.parse_args(argv)
    # Compiler warnings are logged by the compiler module; show them as plain text.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    layout = ProjectLayout.default()
    try:
        pin = load_pin(layout.ape_config)
        # Always (re)checked so `ape compile` with SOLCX_BINARY_PATH works too.
        solc_dir = install_solc_wrapper(pin, layout=layout)
        result = ensure_built(layout, force=args.force)
    except RdhChainError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1

    where = result.artifacts_file.relative_to(layout.root)
    print(f"solc {pin.version} (evm {pin.evm_version}) at {solc_dir}/solc-v{pin.version}")
    if result.rebuilt:
        print(f"compiled {len(result.contracts)} contracts into {where}")
    else:
        print(f"{where} is up to date ({len(result.contracts)} contracts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
