"""Where the project keeps its sources, build output and local chain data."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
NODE_MODULES = PROJECT_ROOT / "node_modules"
APE_CONFIG = PROJECT_ROOT / "ape-config.yaml"
# Inside the package, so an installed SDK ships the compiled contracts as package data.
BUILD_DIR = PACKAGE_DIR / "_build"
ARTIFACTS_FILE = BUILD_DIR / "contracts.json"


def data_dir() -> Path:
    """The folder holding chain state, keystores and the deployment record.

    ``RDH_DATA_DIR`` overrides the default ``.rdh/`` under the project root.
    """
    override = os.environ.get("RDH_DATA_DIR")
    return Path(override).resolve() if override else PROJECT_ROOT / ".rdh"
