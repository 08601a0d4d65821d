"""The compiled contracts as the SDK reads them: ``rdh_chain/_build/contracts.json``.

``make build`` (:mod:`rdh_chain.toolchain`, the only code that compiles) writes that file
inside the package, so an installed SDK ships it as package data. This module only reads
it, and imports nothing of the build tools. The file records the digest of every file it
was compiled from; in a source checkout (``contracts/`` beside the package) a build older
than those files is refused, so nothing runs against bytecode older than its sources.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, cast

from eth_typing import HexStr

from rdh_chain import paths
from rdh_chain.exceptions import ArtifactError

BUILD_HINT = "run `make build`"


class CompiledContract(TypedDict):
    """One contract as the build file stores it."""

    abi: list[dict[str, Any]]
    bytecode: str
    deployedBytecode: str
    source: str
    userdoc: dict[str, Any]
    devdoc: dict[str, Any]
    # solc's {"storage": [...], "types": {...}}: every state variable's slot, offset and type.
    storageLayout: dict[str, Any]


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


def contract_sources(contracts_dir: Path) -> list[Path]:
    """Every ``*.sol`` under ``contracts_dir``, sorted; folders starting with a dot (ape's
    dependency cache ``contracts/.cache``) are not ours."""
    return [
        path
        for path in sorted(contracts_dir.rglob("*.sol"))
        if not any(part.startswith(".") for part in path.relative_to(contracts_dir).parts)
    ]


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_digests(root: Path, files: Iterable[Path]) -> dict[str, str]:
    """The digest of each of ``files``, keyed by its path relative to ``root``."""
    return {_relative(path, root): file_digest(path) for path in files}


def stale_inputs(root: Path, inputs: Mapping[str, str], sources_dir: str) -> list[str]:
    """The recorded inputs under ``root`` that changed or went missing, and the sources
    under ``root/sources_dir`` that were added since; empty if the build is fresh."""
    changed = []
    for name, digest in sorted(inputs.items()):
        path = root / name
        if not path.is_file():
            changed.append(f"{name} (removed)")
        elif file_digest(path) != digest:
            changed.append(name)
    added = {_relative(p, root) for p in contract_sources(root / sources_dir)} - set(inputs)
    changed.extend(f"{name} (new)" for name in sorted(added))
    return changed


def is_source_checkout(root: Path) -> bool:
    """Whether ``root`` holds the sources a build is made from (not an installed package)."""
    return (root / "contracts").is_dir() and (root / "ape-config.yaml").is_file()


def read_build(path: Path) -> dict[str, Any] | None:
    """The build file's JSON, None if there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path} cannot be read ({exc}); {BUILD_HINT}.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
        raise ArtifactError(f"{path} is not an rdh-chain build; {BUILD_HINT}.")
    return data


def load_artifacts(
    path: Path | None = None, *, root: Path | None = None, check_fresh: bool = True
) -> dict[str, Artifact]:
    """The compiled contracts by name, from ``path`` (the package's build file by default).

    Never compiles. Raises :class:`ArtifactError` if the build is missing or malformed,
    or, with ``check_fresh`` and in a source checkout at ``root`` (this package's project
    root by default), if any file it was built from changed since.
    """
    path = path or paths.ARTIFACTS_FILE
    root = root or paths.PROJECT_ROOT
    data = read_build(path)
    if data is None:
        raise ArtifactError(
            f"No build artifacts at {path}; {BUILD_HINT} in the source checkout "
            "(an installed rdh-chain ships them)."
        )
    if check_fresh and is_source_checkout(root):
        inputs = data.get("inputs")
        if not isinstance(inputs, dict):
            raise ArtifactError(f"{path} records no inputs (an older build); {BUILD_HINT}.")
        changed = stale_inputs(root, inputs, str(data.get("sources_dir", "contracts")))
        if changed:
            more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
            shown = ", ".join(changed[:5]) + more
            raise ArtifactError(
                f"Build artifacts at {path} are stale: {shown} changed since; {BUILD_HINT}."
            )
    try:
        return {
            name: Artifact.from_compiled(name, cast(CompiledContract, entry))
            for name, entry in data["contracts"].items()
        }
    except (KeyError, TypeError) as exc:
        raise ArtifactError(f"{path} has a malformed entry ({exc}); {BUILD_HINT}.") from exc


def all_abis(artifacts: Mapping[str, Artifact] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every contract's ABI by name, e.g. to decode any rdh-chain revert or event."""
    artifacts = load_artifacts() if artifacts is None else artifacts
    return {name: artifact.abi for name, artifact in artifacts.items()}


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()  # outside the tree: kept absolute (root / absolute == absolute)


__all__ = [
    "Artifact",
    "CompiledContract",
    "all_abis",
    "contract_sources",
    "file_digest",
    "input_digests",
    "is_source_checkout",
    "load_artifacts",
    "read_build",
    "stale_inputs",
]
