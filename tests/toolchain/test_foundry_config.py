"""foundry.toml compiles with the ape-config.yaml pin; `make test-forge` fails when forge does.

ape-config.yaml is the one place that pins the compiler; foundry.toml repeats its settings
because forge reads no other file, so this test is what keeps the two from drifting apart.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from rdh_chain import paths
from rdh_chain.toolchain import load_pin

FOUNDRY_TOML = paths.PROJECT_ROOT / "foundry.toml"
MAKEFILE = paths.PROJECT_ROOT / "Makefile"
FORGE_PACKAGE = "@foundry-rs/forge-linux-amd64"
# Keys that change what the compiler produces; only the default profile may set them.
COMPILER_KEYS = {
    "solc",
    "solc_version",
    "evm_version",
    "optimizer",
    "optimizer_runs",
    "via_ir",
    "remappings",
}
CI_HANDLER_CALLS = 100_000


@pytest.fixture(scope="module")
def foundry() -> dict[str, Any]:
    with FOUNDRY_TOML.open("rb") as f:
        return tomllib.load(f)


def test_foundry_default_profile_compiles_with_the_ape_config_pin(foundry: dict[str, Any]) -> None:
    pin = load_pin()
    default = foundry["profile"]["default"]

    assert default["solc"] == f".build/solcx/solc-v{pin.version}"  # the wrapper `make build` writes
    assert default["evm_version"] == pin.evm_version
    assert default["optimizer"] is pin.optimize
    assert default["optimizer_runs"] == pin.optimization_runs
    assert default.get("via_ir", False) is pin.via_ir
    assert sorted(default["remappings"]) == pin.remappings()
    assert default["src"] == "contracts"


def test_foundry_never_fetches_a_compiler(foundry: dict[str, Any]) -> None:
    default = foundry["profile"]["default"]

    assert default["offline"] is True
    assert default["auto_detect_solc"] is False


def test_foundry_other_profiles_do_not_change_the_compiler(foundry: dict[str, Any]) -> None:
    for name, profile in foundry["profile"].items():
        if name != "default":
            assert not COMPILER_KEYS & set(profile), f"profile {name} overrides compiler settings"


def test_foundry_ci_profile_makes_at_least_100k_handler_calls(foundry: dict[str, Any]) -> None:
    invariant = {
        **foundry["profile"]["default"]["invariant"],
        **foundry["profile"]["ci"]["invariant"],
    }

    assert invariant["runs"] * invariant["depth"] >= CI_HANDLER_CALLS
    assert invariant["fail_on_revert"] is True


def test_forge_is_pinned_exactly_in_package_json() -> None:
    manifest = json.loads((paths.PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))

    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["dependencies"][FORGE_PACKAGE])


def test_make_runs_the_platform_forge_binary_not_the_npm_wrapper() -> None:
    # node_modules/.bin/forge (the @foundry-rs/forge wrapper) exits 0 even when tests fail.
    makefile = MAKEFILE.read_text(encoding="utf-8")

    assert f"node_modules/{FORGE_PACKAGE}/bin/forge" in makefile
    assert ".bin/forge" not in makefile
    assert Path(paths.NODE_MODULES / FORGE_PACKAGE / "bin" / "forge").is_file()
