"""The runtime artifacts: package data read without the build tools, refused when stale."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rdh_chain import paths
from rdh_chain.artifacts import input_digests, load_artifacts
from rdh_chain.exceptions import ArtifactError

# Imports the SDK, loads the artifacts and lists what it must never load: the compiler,
# the build step, the anvil process manager, ape, and the gateway above it.
_PROBE = """
import json, sys
import rdh_chain, rdh_chain.config, rdh_chain.contracts, rdh_chain.deployment, rdh_chain.ledger
from rdh_chain import paths
from rdh_chain.artifacts import load_artifacts
artifacts = load_artifacts()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"solcx", "ape", "api"}
                or m.startswith(("rdh_chain.toolchain", "rdh_chain.chain.anvil")))
print(json.dumps({"contracts": len(artifacts), "file": str(paths.ARTIFACTS_FILE),
                  "loaded": loaded}))
"""


def _probe(pythonpath: Path, cwd: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def test_sdk_loads_artifacts_without_importing_build_or_dev_tools(tmp_path: Path) -> None:
    result = _probe(paths.PROJECT_ROOT, tmp_path)

    assert result["loaded"] == [], f"the runtime SDK imported {result['loaded']}"
    assert result["contracts"] == len(load_artifacts())
    assert result["file"] == str(paths.ARTIFACTS_FILE)


def test_installed_package_loads_its_shipped_artifacts_without_sources(tmp_path: Path) -> None:
    # An installed SDK: the package (with its _build data) and no contracts/ beside it.
    site = tmp_path / "site-packages"
    shutil.copytree(
        paths.PACKAGE_DIR, site / "rdh_chain", ignore=shutil.ignore_patterns("__pycache__")
    )

    result = _probe(site, tmp_path)

    assert result["file"] == str(site / "rdh_chain" / "_build" / "contracts.json")
    assert result["contracts"] == len(load_artifacts())
    assert result["loaded"] == []


def _checkout(root: Path) -> Path:
    """A source tree with one contract and a build file recording its inputs."""
    (root / "contracts" / ".cache").mkdir(parents=True)
    (root / "contracts" / "A.sol").write_text("contract A {}\n")
    (root / "contracts" / ".cache" / "Dep.sol").write_text("contract Dep {}\n")
    (root / "ape-config.yaml").write_text("solidity:\n  version: 0.8.37\n")
    build = root / "rdh_chain" / "_build" / "contracts.json"
    build.parent.mkdir(parents=True)
    entry = {
        "abi": [],
        "bytecode": "0x00",
        "deployedBytecode": "0x00",
        "source": "contracts/A.sol",
        "userdoc": {},
        "devdoc": {},
    }
    inputs = input_digests(root, [root / "contracts" / "A.sol", root / "ape-config.yaml"])
    data = {"contracts": {"A": entry}, "inputs": inputs, "sources_dir": "contracts"}
    build.write_text(json.dumps(data))
    return build


def test_load_artifacts_reads_a_fresh_build(tmp_path: Path) -> None:
    build = _checkout(tmp_path)

    assert list(load_artifacts(build, root=tmp_path)) == ["A"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda root: (root / "contracts" / "A.sol").write_text("contract B {}\n"), "A.sol"),
        (lambda root: (root / "ape-config.yaml").write_text("solidity: {}\n"), "ape-config.yaml"),
        (lambda root: (root / "contracts" / "New.sol").write_text("\n"), r"New\.sol \(new\)"),
        (lambda root: (root / "contracts" / "A.sol").unlink(), r"A\.sol \(removed\)"),
    ],
    ids=["source-edited", "pin-edited", "source-added", "source-removed"],
)
def test_load_artifacts_raises_when_an_input_changed_since_build(
    tmp_path: Path, change: object, named: str
) -> None:
    build = _checkout(tmp_path)
    change(tmp_path)  # type: ignore[operator]

    with pytest.raises(ArtifactError, match=rf"stale: .*{named}.*run `make build`"):
        load_artifacts(build, root=tmp_path)


def test_load_artifacts_ignores_dependency_cache_and_skips_check_when_asked(
    tmp_path: Path,
) -> None:
    build = _checkout(tmp_path)
    (tmp_path / "contracts" / ".cache" / "Other.sol").write_text("\n")
    assert list(load_artifacts(build, root=tmp_path)) == ["A"]

    (tmp_path / "contracts" / "A.sol").write_text("contract B {}\n")
    assert list(load_artifacts(build, root=tmp_path, check_fresh=False)) == ["A"]


def test_load_artifacts_raises_when_build_records_no_inputs(tmp_path: Path) -> None:
    build = _checkout(tmp_path)
    data = json.loads(build.read_text())
    del data["inputs"]
    build.write_text(json.dumps(data))

    with pytest.raises(ArtifactError, match=r"records no inputs.*run `make build`"):
        load_artifacts(build, root=tmp_path)


def test_load_artifacts_raises_when_build_missing(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"No build artifacts at .*run `make build`"):
        load_artifacts(tmp_path / "contracts.json", root=tmp_path)
