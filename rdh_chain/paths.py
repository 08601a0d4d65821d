"""Where the project keeps its sources, build output and local chain data."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
NODE_MODULES = PROJECT_ROOT / "node_modules"
APE_CONFIG = PROJECT_ROOT / "ape-config.yaml"
BUILD_DIR = PROJECT_ROOT / "build"


def data_dir() -> Path:
    """The folder holding chain state, keystores and the deployment record.

    ``RDH_DATA_DIR`` overrides the default ``.rdh/`` under the project root.
    """
    override = os.environ.get("RDH_DATA_DIR")
    return Path(override).resolve() if override else PROJECT_ROOT / ".rdh"
