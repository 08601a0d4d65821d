"""The build step's cache: ``make build`` writes ``rdh_chain/_build/contracts.json``.

The file records a hash over the sources, the compiler pin and the OpenZeppelin
version, and the digest of every file the build read. :func:`ensure_built`
recompiles only when that hash changed. Reading the file is
:mod:`rdh_chain.artifacts`' business (the runtime SDK never imports this package);
it refuses a build whose input files changed since, so a test or a request can
never run against bytecode older than the sources.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdh_chain.artifacts import BUILD_HINT, Artifact, all_abis, input_digests, read_build
from rdh_chain.artifacts import load_artifacts as _load_build
from rdh_chain.exceptions import ArtifactError
from rdh_chain.toolchain.compiler import (
    CompilerPin,
    compile_contracts,
    load_pin,
    npm_versions,
    output_selection,
    read_sources,
)
from rdh_chain.toolchain.layout import ProjectLayout


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


def build_inputs(
    layout: ProjectLayout, pin: CompilerPin, sources: Mapping[str, str]
) -> dict[str, str]:
    """The digest of every file a build reads (the sources, the pin, the npm packages'
    manifests) by path under the project root: what the runtime checks for freshness."""
    files = [layout.root / name for name in sources]
    files.append(layout.ape_config)
    files.extend(layout.package_json(dep.package) for dep in pin.npm_dependencies)
    return input_digests(layout.root, files)


def _record(layout: ProjectLayout, inputs: dict[str, str]) -> dict[str, Any]:
    return {
        "inputs": inputs,
        "sources_dir": layout.contracts_dir.relative_to(layout.root).as_posix(),
    }


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written cache


def ensure_built(layout: ProjectLayout | None = None, *, force: bool = False) -> BuildResult:
    """Compile into ``layout.artifacts_file`` unless the cache already matches the sources."""
    layout = layout or ProjectLayout.default()
    pin = load_pin(layout.ape_config)
    sources = read_sources(layout)
    expected = sources_hash(sources, pin, npm_versions(pin, layout))
    record = _record(layout, build_inputs(layout, pin, sources))
    path = layout.artifacts_file

    if not force:
        try:
            cached = read_build(path)
        except ArtifactError:
            cached = None  # unreadable: rebuild over it
        if cached is not None and cached.get("sources_hash") == expected:
            if any(cached.get(key) != value for key, value in record.items()):
                # The same compile (a comment in ape-config.yaml changed, say): renew the
                # record the runtime checks without compiling again.
                _write_cache(path, {**cached, **record})
            return BuildResult(False, path, expected, tuple(sorted(cached["contracts"])))

    compiled = compile_contracts(pin, layout=layout, sources=sources)
    _write_cache(
        path,
        {"compiler": pin.as_dict(), "sources_hash": expected, "contracts": compiled, **record},
    )
    return BuildResult(True, path, expected, tuple(sorted(compiled)))


def load_artifacts(
    layout: ProjectLayout | None = None, *, check_fresh: bool = True
) -> dict[str, Artifact]:
    """Read ``layout``'s build file; never compiles.

    :func:`rdh_chain.artifacts.load_artifacts` plus, with ``check_fresh``, the build
    step's own check: the hash over the sources, the pin and the outputs selected.
    """
    layout = layout or ProjectLayout.default()
    artifacts = _load_build(layout.artifacts_file, root=layout.root, check_fresh=check_fresh)
    if check_fresh:
        data = read_build(layout.artifacts_file) or {}
        if data.get("sources_hash") != current_sources_hash(layout):
            raise ArtifactError(
                f"Build artifacts at {layout.artifacts_file} are stale: the contracts, the "
                f"compiler pin or the OpenZeppelin version changed since; {BUILD_HINT}."
            )
    return artifacts


__all__ = [
    "Artifact",
    "BuildResult",
    "all_abis",
    "build_inputs",
    "current_sources_hash",
    "ensure_built",
    "load_artifacts",
    "sources_hash",
]
