"""Where the toolchain finds its inputs and writes its outputs.

The defaults come from :mod:`rdh_chain.paths`; tests build a layout over a
temporary tree so they can compile and cache without touching the real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdh_chain import paths

ARTIFACTS_FILENAME = paths.ARTIFACTS_FILE.name


@dataclass(frozen=True)
class ProjectLayout:
    """The files and folders one build reads and writes."""

    root: Path
    contracts_dir: Path
    node_modules: Path
    ape_config: Path
    build_dir: Path
    solc_script: Path

    @classmethod
    def default(cls) -> ProjectLayout:
        """The layout of this checkout."""
        return cls(
            root=paths.PROJECT_ROOT,
            contracts_dir=paths.CONTRACTS_DIR,
            node_modules=paths.NODE_MODULES,
            ape_config=paths.APE_CONFIG,
            build_dir=paths.BUILD_DIR,
            solc_script=paths.PROJECT_ROOT / "scripts" / "solc.js",
        )

    @classmethod
    def at(cls, root: Path, *, solc_script: Path | None = None) -> ProjectLayout:
        """A layout with the standard folder names under ``root``.

        ``solc_script`` defaults to this checkout's wrapper, since it must sit
        next to the ``node_modules`` holding npm's solc to be able to load it.
        """
        root = root.resolve()
        return cls(
            root=root,
            contracts_dir=root / "contracts",
            node_modules=root / "node_modules",
            ape_config=root / "ape-config.yaml",
            build_dir=root / paths.BUILD_DIR.relative_to(paths.PROJECT_ROOT),
            solc_script=solc_script or paths.PROJECT_ROOT / "scripts" / "solc.js",
        )

    @property
    def artifacts_file(self) -> Path:
        """The build file that :func:`rdh_chain.artifacts.load_artifacts` reads."""
        return self.build_dir / ARTIFACTS_FILENAME

    def package_json(self, package: str) -> Path:
        """The ``package.json`` of an npm package, e.g. ``@openzeppelin/contracts``."""
        return self.node_modules / package / "package.json"
