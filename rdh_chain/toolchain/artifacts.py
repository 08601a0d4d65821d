"""The build cache: one compile step writes ``build/contracts.json``, everything else reads it.

The cache records a hash over the sources, the compiler pin and the
OpenZeppelin version. :func:`ensure_built` recompiles only when that hash
changed; :func:`load_artifacts` never compiles and refuses a stale cache, so a
test or a request can never run against bytecode older than the sources.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from eth_typing import HexStr

from rdh_chain.exceptions import ArtifactError
from rdh_chain.toolchain.compiler import (
    CompiledContract,
    CompilerPin,
    compile_contracts,
    load_pin,
    npm_versions,
    output_selection,
    read_sources,
)
from rdh_chain.toolchain.layout import ProjectLayout

_BUILD_HINT = "run `make build`"


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: what deploying and calling it needs."""

    # Only name and source in the repr: test failures and logs print artifacts.
    name: str
    abi: list[dict[str, Any]] = field(repr=False)
    bytecode: HexStr = field(repr=False)
    deployed_bytecode: HexStr = field(repr=False)
    source: str
    userdoc: dict[str, Any] = field(default_factory=dict, repr=False)
    devdoc: dict[str, Any] = field(default_factory=dict, repr=False)
    # solc's storage layout, for layout checks (tests/toolchain/test_storage_layout.py); no
    # client reads it, and it takes no part in comparing artifacts.
    storage_layout: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def deployable(self) -> bool:
        """False for interfaces and abstract contracts, which have no creation code."""
        return self.bytecode != "0x"

    @classmethod
    def from_compiled(cls, name: str, data: CompiledContract) -> Artifact:
        return cls(
            name=name,
            abi=data["abi"],
            bytecode=HexStr(data["bytecode"]),
            deployed_bytecode=HexStr(data["deployedBytecode"]),
            source=data["source"],
            userdoc=data["userdoc"],
            devdoc=data["devdoc"],
            storage_layout=data.get("storageLayout", {}),
        )


@dataclass(frozen=True)
class BuildResult:
    """What :func:`ensure_built` did."""

    rebuilt: bool
    artifacts_file: Path
    sources_hash: str
    contracts: tuple[str, ...]


def sources_hash(sources: Mapping[str, str], pin: CompilerPin, packages: Mapping[str, str]) -> str:
    """SHA-256 over every source's path and text, the pin, the npm package versions and the
    outputs selected from solc."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        for part in (name, sources[name]):
            encoded = part.encode("utf-8")
            # Length-prefixed, so moving text between path and content changes the hash.
            digest.update(len(encoded).to_bytes(8, "big"))
            digest.update(encoded)
    digest.update(json.dumps(pin.as_dict(), sort_keys=True).encode("utf-8"))
    digest.update(json.dumps(dict(packages), sort_keys=True).encode("utf-8"))
    digest.update(json.dumps(output_selection()).encode("utf-8"))
    return digest.hexdigest()


def current_sources_hash(layout: ProjectLayout | None = None) -> str:
    """The hash the cache must carry to be fresh for the tree as it is now."""
    layout = layout or ProjectLayout.default()
    pin = load_pin(layout.ape_config)
    return sources_hash(read_sources(layout), pin, npm_versions(pin, layout))


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path} cannot be read ({exc}); {_BUILD_HINT}.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
        raise ArtifactError(f"{path} is not an rdh-chain build cache; {_BUILD_HINT}.")
    return data


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written cache


def ensure_built(layout: ProjectLayout | None = None, *, force: bool = False) -> BuildResult:
    """Compile into ``build/contracts.json`` unless the cache already matches the sources."""
    layout = layout or ProjectLayout.default()
    pin = load_pin(layout.ape_config)
    sources = read_sources(layout)
    expected = sources_hash(sources, pin, npm_versions(pin, layout))
    path = layout.artifacts_file

    if not force:
        try:
            cached = _read_cache(path)
        except ArtifactError:
            cached = None  # unreadable: rebuild over it
        if cached is not None and cached.get("sources_hash") == expected:
            return BuildResult(False, path, expected, tuple(sorted(cached["contracts"])))

    compiled = compile_contracts(pin, layout=layout, sources=sources)
    _write_cache(path, {"compiler": pin.as_dict(), "sources_hash": expected, "contracts": compiled})
    return BuildResult(True, path, expected, tuple(sorted(compiled)))


def load_artifacts(
    layout: ProjectLayout | None = None, *, check_fresh: bool = True
) -> dict[str, Artifact]:
    """Read the build cache; never compiles.

    Raises :class:`ArtifactError` if the cache is missing, or, with
    ``check_fresh`` (the default), if the sources changed since it was built.
    Pass ``check_fresh=False`` only where the sources are not shipped.
    """
    layout = layout or ProjectLayout.default()
    path = layout.artifacts_file
    data = _read_cache(path)
    if data is None:
        raise ArtifactError(f"No build artifacts at {path}; {_BUILD_HINT}.")
    if check_fresh and data.get("sources_hash") != current_sources_hash(layout):
        raise ArtifactError(
            f"Build artifacts at {path} are stale: the contracts, the compiler pin or "
            f"the OpenZeppelin version changed since; {_BUILD_HINT}."
        )
    try:
        return {
            name: Artifact.from_compiled(name, cast(CompiledContract, entry))
            for name, entry in data["contracts"].items()
        }
    except (KeyError, TypeError) as exc:
        raise ArtifactError(f"{path} has a malformed entry ({exc}); {_BUILD_HINT}.") from exc


def all_abis(artifacts: Mapping[str, Artifact] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every contract's ABI by name, e.g. to decode any rdh-chain revert or event."""
    artifacts = load_artifacts() if artifacts is None else artifacts
    return {name: artifact.abi for name, artifact in artifacts.items()}
