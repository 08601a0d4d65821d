"""The compile step: the pin, the solc wrapper, compiling and the build cache.

Compile tests run on a tiny tree in a temporary folder (this project's
ape-config.yaml and node_modules, two small sources) so they stay fast and
never touch ``build/``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import solcx
import yaml
from packaging.version import Version

from rdh_chain import paths
from rdh_chain.exceptions import ArtifactError, CompilationError, ConfigError, ToolchainError
from rdh_chain.toolchain import (
    Artifact,
    ProjectLayout,
    compile_contracts,
    ensure_built,
    install_solc_wrapper,
    load_artifacts,
    load_pin,
    npm_versions,
    read_sources,
    sources_hash,
)
from rdh_chain.toolchain import artifacts as artifacts_module
from rdh_chain.toolchain import compiler as compiler_module

EIP170_MAX_RUNTIME_BYTES = 24_576

COUNTER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ICounter} from "./interfaces/ICounter.sol";

contract Counter is ICounter, Ownable {
    uint256 private _count;

    constructor() Ownable(msg.sender) {}

    function increment() external onlyOwner {
        _count += 1;
    }

    function count() external view returns (uint256) {
        return _count;
    }
}
"""

ICOUNTER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice A counter only its owner moves.
interface ICounter {
    function count() external view returns (uint256);
}
"""


def _make_tiny(root: Path) -> ProjectLayout:
    (root / "contracts" / "interfaces").mkdir(parents=True)
    (root / "ape-config.yaml").write_text(paths.APE_CONFIG.read_text())
    (root / "node_modules").symlink_to(paths.NODE_MODULES, target_is_directory=True)
    (root / "contracts" / "Counter.sol").write_text(COUNTER)
    (root / "contracts" / "interfaces" / "ICounter.sol").write_text(ICOUNTER)
    return ProjectLayout.at(root)


@pytest.fixture
def tiny(tmp_path: Path) -> ProjectLayout:
    """A project with this checkout's pin and node_modules and two small sources."""
    return _make_tiny(tmp_path / "project")


@pytest.fixture(scope="module")
def _built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built") / "project"
    ensure_built(_make_tiny(root))
    return root


@pytest.fixture
def built(_built_once: Path, tmp_path: Path) -> ProjectLayout:
    """``tiny`` with a fresh build cache, copied so each test may change it."""
    root = tmp_path / "project"
    shutil.copytree(_built_once, root, symlinks=True)
    return ProjectLayout.at(root)


def _write_config(path: Path, solidity: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump({"name": "x", "solidity": solidity}))
    return path


def test_load_pin_reads_solidity_section_of_ape_config() -> None:
    raw = yaml.safe_load(paths.APE_CONFIG.read_text())["solidity"]

    pin = load_pin()

    assert pin.version == raw["version"] == "0.8.37"
    assert pin.evm_version == raw["evm_version"] == "cancun"
    assert pin.optimize is raw["optimize"]
    assert pin.optimization_runs == raw["optimization_runs"]
    assert pin.remappings() == ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"]


def test_load_pin_raises_config_error_when_version_is_a_range(tmp_path: Path) -> None:
    config = _write_config(tmp_path / "ape-config.yaml", {"version": "^0.8.0", "evm_version": "x"})

    with pytest.raises(ConfigError, match=r"exact version like 0\.8\.37"):
        load_pin(config)


def test_load_pin_raises_config_error_when_remapping_names_another_version(
    tmp_path: Path,
) -> None:
    config = tmp_path / "ape-config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "dependencies": [
                    {"name": "oz", "npm": "@openzeppelin/contracts", "version": "5.7.0"}
                ],
                "solidity": {
                    "version": "0.8.37",
                    "evm_version": "cancun",
                    "import_remapping": ["@openzeppelin/contracts=oz/5.0.0"],
                },
            }
        )
    )

    with pytest.raises(ConfigError, match=r"declared at 5\.7\.0"):
        load_pin(config)


def test_load_pin_keeps_path_remapping_that_names_no_dependency(tmp_path: Path) -> None:
    config = _write_config(
        tmp_path / "ape-config.yaml",
        {"version": "0.8.37", "evm_version": "cancun", "import_remapping": ["@lib=vendor/lib"]},
    )

    assert load_pin(config).remappings() == ["@lib/=vendor/lib/"]


def test_install_solc_wrapper_answers_pinned_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = load_pin()

    directory = install_solc_wrapper(pin, tmp_path / "solcx")

    out = subprocess.run(
        [directory / f"solc-v{pin.version}", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {pin.version}+commit" in out
    # py-solc-x (and so ape-solidity) finds it through SOLCX_BINARY_PATH.
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(directory))
    assert solcx.get_installed_solc_versions() == [Version(pin.version)]


def test_install_solc_wrapper_raises_when_pin_differs_from_npm_solc(tmp_path: Path) -> None:
    pin = dataclasses.replace(load_pin(), version="0.8.30")

    with pytest.raises(
        ToolchainError, match=r"has solc 0\.8\.37 but ape-config.yaml pins 0\.8\.30"
    ):
        install_solc_wrapper(pin, tmp_path)


def test_install_solc_wrapper_raises_when_solc_package_missing(tmp_path: Path) -> None:
    layout = ProjectLayout.at(tmp_path)  # no node_modules at all

    with pytest.raises(ToolchainError, match="run `npm ci`"):
        install_solc_wrapper(load_pin(), tmp_path / "solcx", layout=layout)


def test_npm_versions_raises_when_installed_package_differs_from_config() -> None:
    pin = load_pin()
    stale = dataclasses.replace(
        pin,
        npm_dependencies=tuple(
            dataclasses.replace(dep, version="4.9.0") for dep in pin.npm_dependencies
        ),
    )

    with pytest.raises(ToolchainError, match=r"declares 4\.9\.0"):
        npm_versions(stale)


def test_compile_contracts_returns_only_contracts_under_contracts_dir(
    tiny: ProjectLayout,
) -> None:
    compiled = compile_contracts(layout=tiny)

    assert set(compiled) == {"Counter", "ICounter"}  # not Ownable nor Context
    counter = compiled["Counter"]
    assert counter["source"] == "contracts/Counter.sol"
    assert counter["bytecode"].startswith("0x6080")
    assert counter["deployedBytecode"].startswith("0x6080")
    assert {item.get("name") for item in counter["abi"]} >= {"increment", "count", "owner"}
    assert compiled["ICounter"]["bytecode"] == "0x"
    assert compiled["ICounter"]["userdoc"]["notice"] == "A counter only its owner moves."
    # Ownable's owner takes slot 0, the counter slot 1; an interface has no storage.
    storage = counter["storageLayout"]["storage"]
    assert [(v["label"], v["slot"], v["offset"], v["type"]) for v in storage] == [
        ("_owner", "0", 0, "t_address"),
        ("_count", "1", 0, "t_uint256"),
    ]
    assert compiled["ICounter"]["storageLayout"]["storage"] == []


def test_compile_contracts_raises_compilation_error_with_solc_message(
    tiny: ProjectLayout,
) -> None:
    (tiny.contracts_dir / "Counter.sol").write_text(COUNTER.replace("_count += 1;", "_count += 1"))

    with pytest.raises(CompilationError, match=r"ParserError: Expected ';'") as caught:
        compile_contracts(layout=tiny)
    assert "contracts/Counter.sol" in str(caught.value)


def test_read_sources_skips_ape_dependency_cache(tiny: ProjectLayout) -> None:
    cached = tiny.contracts_dir / ".cache" / "openzeppelin" / "Ownable.sol"
    cached.parent.mkdir(parents=True)
    cached.write_text("// not ours")

    assert sorted(read_sources(tiny)) == [
        "contracts/Counter.sol",
        "contracts/interfaces/ICounter.sol",
    ]


def test_ensure_built_compiles_when_cache_missing(tiny: ProjectLayout) -> None:
    result = ensure_built(tiny)

    assert result.rebuilt
    assert result.contracts == ("Counter", "ICounter")
    data = json.loads(result.artifacts_file.read_text())
    assert data["compiler"] == load_pin(tiny.ape_config).as_dict()
    assert data["sources_hash"] == result.sources_hash
    assert set(data["contracts"]) == {"Counter", "ICounter"}


def test_ensure_built_does_not_recompile_when_sources_unchanged(
    built: ProjectLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = built.artifacts_file.read_bytes()
    monkeypatch.setattr(artifacts_module, "compile_contracts", _must_not_compile)

    result = ensure_built(built)

    assert not result.rebuilt
    assert result.contracts == ("Counter", "ICounter")
    assert built.artifacts_file.read_bytes() == before


def test_ensure_built_recompiles_when_a_source_changes(built: ProjectLayout) -> None:
    old = load_artifacts(built)["Counter"].bytecode
    source = built.contracts_dir / "Counter.sol"
    source.write_text(source.read_text().replace("_count += 1;", "_count += 2;"))

    result = ensure_built(built)

    assert result.rebuilt
    assert load_artifacts(built)["Counter"].bytecode != old


def test_load_artifacts_raises_when_cache_missing(tiny: ProjectLayout) -> None:
    with pytest.raises(ArtifactError, match="run `make build`"):
        load_artifacts(tiny)


def test_load_artifacts_raises_when_sources_changed_since_build(built: ProjectLayout) -> None:
    (built.contracts_dir / "Extra.sol").write_text("// SPDX-License-Identifier: MIT\n")

    with pytest.raises(ArtifactError, match=r"stale.*run `make build`"):
        load_artifacts(built)


def test_load_artifacts_reads_cache_without_compiling(
    built: ProjectLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(artifacts_module, "compile_contracts", _must_not_compile)

    loaded = load_artifacts(built)

    counter = loaded["Counter"]
    assert isinstance(counter, Artifact)
    assert counter.deployable
    assert not loaded["ICounter"].deployable
    assert counter.deployed_bytecode.startswith("0x")
    assert isinstance(counter.abi, list)
    assert [v["label"] for v in counter.storage_layout["storage"]] == ["_owner", "_count"]


def test_load_artifacts_reads_a_cache_without_storage_layouts(built: ProjectLayout) -> None:
    # A cache entry without the layout (written by hand, or by an older build step whose hash
    # matched) still loads; the layout is then empty.
    data = json.loads(built.artifacts_file.read_text())
    del data["contracts"]["Counter"]["storageLayout"]
    built.artifacts_file.write_text(json.dumps(data))

    assert load_artifacts(built)["Counter"].storage_layout == {}


def test_sources_hash_changes_with_compiler_settings() -> None:
    pin = load_pin()
    sources = {"contracts/A.sol": "contract A {}"}
    base = sources_hash(sources, pin, {"@openzeppelin/contracts": "5.7.0"})

    assert base != sources_hash(
        sources, dataclasses.replace(pin, optimization_runs=1), {"@openzeppelin/contracts": "5.7.0"}
    )
    assert base != sources_hash(sources, pin, {"@openzeppelin/contracts": "5.8.0"})
    assert base != sources_hash({"contracts/B.sol": "contract A {}"}, pin, {})


def test_sources_hash_changes_with_the_outputs_selected(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cache built before solc was asked for an output (the storage layout, say) is stale.
    pin = load_pin()
    sources = {"contracts/A.sol": "contract A {}"}
    base = sources_hash(sources, pin, {})
    monkeypatch.setattr(compiler_module, "_OUTPUTS", ["abi", "evm.bytecode.object"])

    assert sources_hash(sources, pin, {}) != base


def test_project_contracts_fit_eip170_size_limit(artifacts: dict[str, Artifact]) -> None:
    assert artifacts, "rdh_chain/_build/contracts.json holds no contracts"
    for artifact in artifacts.values():
        size = (len(artifact.deployed_bytecode) - 2) // 2
        assert size <= EIP170_MAX_RUNTIME_BYTES, f"{artifact.name} is {size} bytes"


def _must_not_compile(*_args: object, **_kwargs: object) -> dict[str, object]:
    raise AssertionError("compiled although the cache was fresh")


def test_ensure_built_records_the_digest_of_every_input(built: ProjectLayout) -> None:
    data = json.loads(built.artifacts_file.read_text())

    assert data["sources_dir"] == "contracts"
    assert set(data["inputs"]) == {
        "contracts/Counter.sol",
        "contracts/interfaces/ICounter.sol",
        "ape-config.yaml",
        "node_modules/@openzeppelin/contracts/package.json",
    }


def test_ensure_built_renews_the_record_without_compiling_when_only_a_comment_changed(
    built: ProjectLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The runtime checks input files byte for byte; the build hashes what the compile uses.
    with built.ape_config.open("a") as config:
        config.write("# a comment changes no compile\n")
    with pytest.raises(ArtifactError, match=r"stale: ape-config\.yaml"):
        load_artifacts(built)
    monkeypatch.setattr(artifacts_module, "compile_contracts", _must_not_compile)

    result = ensure_built(built)

    assert not result.rebuilt
    assert set(load_artifacts(built)) == {"Counter", "ICounter"}
