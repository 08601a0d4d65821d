"""`ape compile` builds the contracts offline with the same pinned compiler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rdh_chain import paths
from rdh_chain.toolchain import install_solc_wrapper, load_artifacts


def test_ape_compile_builds_every_contract_with_the_pinned_solc(tmp_path: Path) -> None:
    # A copy of the project's sources and config, so ape's .build/ lands in tmp_path.
    shutil.copytree(paths.CONTRACTS_DIR, tmp_path / "contracts")
    shutil.copy(paths.APE_CONFIG, tmp_path / "ape-config.yaml")
    (tmp_path / "node_modules").symlink_to(paths.NODE_MODULES, target_is_directory=True)
    solc_dir = install_solc_wrapper(directory=tmp_path / "solcx")
    env = {**os.environ, "SOLCX_BINARY_PATH": str(solc_dir)}
    ape = Path(sys.executable).with_name("ape")

    done = subprocess.run(
        [str(ape), "compile", "--force"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((tmp_path / ".build" / "__local__.json").read_text())
    types = manifest["contractTypes"]
    for name, artifact in load_artifacts().items():
        if not artifact.deployable:
            continue
        assert types[name]["abi"] == artifact.abi, name
        # Same compiler and settings: the same code, but for the trailing metadata hash.
        assert (
            types[name]["runtimeBytecode"]["bytecode"][:-200] == artifact.deployed_bytecode[:-200]
        )
