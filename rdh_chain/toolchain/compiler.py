"""Compile the Solidity sources with the pinned solc.

``ape-config.yaml`` is the one place that pins the compiler; :func:`load_pin`
reads it for every other tool. No native solc can be installed here, so
:func:`install_solc_wrapper` puts a ``solc-v<version>`` script over npm's
WebAssembly build (``scripts/solc.js``) where py-solc-x and ape-solidity look
for installed compilers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import solcx
import yaml
from solcx.exceptions import SolcError

from rdh_chain.artifacts import CompiledContract, contract_sources
from rdh_chain.exceptions import CompilationError, ConfigError, ToolchainError
from rdh_chain.toolchain.layout import ProjectLayout

logger = logging.getLogger(__name__)

SOLCX_BINARY_PATH_ENV = "SOLCX_BINARY_PATH"
_INSTALL_HINT = "run `npm ci` (or `make install`)"
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
_SOLC_VERSION_LINE = re.compile(r"^Version: (\d+\.\d+\.\d+)", re.MULTILINE)
_VERIFIED_WRAPPERS: set[tuple[Path, str]] = set()
# What each contract needs downstream: ABI and bytecode to deploy and call,
# NatSpec so reverts can be explained with the author's words, and the storage layout
# so a test can prove that the EMC template and its delegatecall module agree on it.
_OUTPUTS = [
    "abi",
    "evm.bytecode.object",
    "evm.deployedBytecode.object",
    "userdoc",
    "devdoc",
    "storageLayout",
]


@dataclass(frozen=True)
class NpmDependency:
    """An ape ``dependencies:`` entry served from ``node_modules`` (``npm:`` key)."""

    name: str  # ape's name for it, the first segment of a remapping target
    package: str  # e.g. "@openzeppelin/contracts"
    version: str


@dataclass(frozen=True)
class CompilerPin:
    """The compiler settings pinned in ``ape-config.yaml``."""

    version: str
    evm_version: str
    optimize: bool = True
    optimization_runs: int = 200
    via_ir: bool = False
    # Resolved to paths under the project root, e.g.
    # "@openzeppelin/contracts=node_modules/@openzeppelin/contracts".
    import_remapping: tuple[str, ...] = ()
    npm_dependencies: tuple[NpmDependency, ...] = ()

    def remappings(self) -> list[str]:
        """The remappings in solc's form, each side ending in ``/`` so only whole
        path segments match (``@openzeppelin/contracts/=node_modules/...``)."""
        result = []
        for entry in self.import_remapping:
            prefix, _, target = entry.partition("=")
            result.append(f"{_with_slash(prefix)}={_with_slash(target)}")
        return sorted(result)

    def settings(self) -> dict[str, Any]:
        """The ``settings`` of a standard-JSON input, without the output selection."""
        settings: dict[str, Any] = {
            "evmVersion": self.evm_version,
            "optimizer": {"enabled": self.optimize, "runs": self.optimization_runs},
            "remappings": self.remappings(),
        }
        if self.via_ir:
            settings["viaIR"] = True
        return settings

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, recorded in the build cache."""
        data = asdict(self)
        data["import_remapping"] = list(self.import_remapping)
        data["npm_dependencies"] = [asdict(dep) for dep in self.npm_dependencies]
        return data


def output_selection() -> tuple[str, ...]:
    """The outputs solc reports for each contract; part of the build hash, so a cache
    written before an output was added is rebuilt rather than read without it."""
    return tuple(_OUTPUTS)


def _with_slash(path: str) -> str:
    return path if path.endswith("/") else f"{path}/"


def load_pin(config_path: Path | None = None) -> CompilerPin:
    """Read the ``solidity:`` and npm ``dependencies:`` sections of ``ape-config.yaml``."""
    path = config_path or ProjectLayout.default().ape_config
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc}; it pins the Solidity compiler.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(config, dict):
        raise ConfigError(f"{path} must be a YAML mapping.")

    section = config.get("solidity")
    if not isinstance(section, dict):
        raise ConfigError(f"{path} has no `solidity:` section; add `version` and `evm_version`.")
    version = str(section.get("version", ""))
    if not _VERSION_RE.match(version):
        raise ConfigError(
            f"`solidity.version` in {path} must be an exact version like 0.8.37, got {version!r}."
        )
    evm_version = section.get("evm_version")
    if not isinstance(evm_version, str) or not evm_version:
        raise ConfigError(f"`solidity.evm_version` in {path} must name a hardfork like cancun.")
    remapping = section.get("import_remapping") or []
    if not isinstance(remapping, list) or not all(
        isinstance(item, str) and "=" in item for item in remapping
    ):
        raise ConfigError(
            f"`solidity.import_remapping` in {path} must be a list of 'prefix=target' strings."
        )
    dependencies = _npm_dependencies(config.get("dependencies"), path)
    try:
        runs = int(section.get("optimization_runs", 200))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"`solidity.optimization_runs` in {path} must be an integer.") from exc
    return CompilerPin(
        version=version,
        evm_version=evm_version,
        optimize=bool(section.get("optimize", True)),
        optimization_runs=runs,
        via_ir=bool(section.get("via_ir", False)),
        import_remapping=tuple(_resolve_remapping(item, dependencies, path) for item in remapping),
        npm_dependencies=tuple(dependencies.values()),
    )


def _npm_dependencies(raw: object, path: Path) -> dict[str, NpmDependency]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise ConfigError(f"`dependencies` in {path} must be a list.")
    found: dict[str, NpmDependency] = {}
    for entry in raw:
        if not isinstance(entry, dict) or "npm" not in entry:
            continue  # other kinds of ape dependency are ape's business
        name, package, version = entry.get("name"), entry.get("npm"), entry.get("version")
        if not all(isinstance(v, str) and v for v in (name, package, version)):
            raise ConfigError(
                f"npm dependency {entry!r} in {path} needs `name`, `npm` and an exact `version`."
            )
        found[str(name)] = NpmDependency(str(name), str(package), str(version))
    return found


def _resolve_remapping(item: str, dependencies: Mapping[str, NpmDependency], path: Path) -> str:
    # ape-solidity writes "prefix=<dependency>/<version>"; solc needs the folder.
    prefix, _, target = item.partition("=")
    name, _, rest = target.partition("/")
    dependency = dependencies.get(name)
    if dependency is None:
        return item  # already a path relative to the project root
    version, _, subpath = rest.partition("/")
    if version and version != dependency.version:
        raise ConfigError(
            f"Remapping {item!r} in {path} names {name} {version}, "
            f"but the dependency is declared at {dependency.version}."
        )
    folder = f"node_modules/{dependency.package}" + (f"/{subpath}" if subpath else "")
    return f"{prefix}={folder}"


def default_solcx_dir(layout: ProjectLayout | None = None) -> Path:
    """``$SOLCX_BINARY_PATH`` if set (the Makefile sets it), else ``<root>/.build/solcx``."""
    override = os.environ.get(SOLCX_BINARY_PATH_ENV)
    if override:
        return Path(override).resolve()
    return (layout or ProjectLayout.default()).root / ".build" / "solcx"


def _npm_package_version(layout: ProjectLayout, package: str) -> str:
    manifest = layout.package_json(package)
    try:
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise ToolchainError(
            f"npm package {package} is not installed in {layout.node_modules}; {_INSTALL_HINT}."
        ) from exc
    return str(version)


def npm_versions(pin: CompilerPin, layout: ProjectLayout | None = None) -> dict[str, str]:
    """The installed version of each npm dependency, which must match ape-config.yaml.

    These versions are part of the build hash, so upgrading OpenZeppelin
    rebuilds the artifacts.
    """
    layout = layout or ProjectLayout.default()
    versions: dict[str, str] = {}
    for dependency in pin.npm_dependencies:
        installed = _npm_package_version(layout, dependency.package)
        if installed != dependency.version:
            raise ToolchainError(
                f"node_modules has {dependency.package} {installed} but ape-config.yaml "
                f"declares {dependency.version}; {_INSTALL_HINT}, or align the two."
            )
        versions[dependency.package] = installed
    return versions


def solc_version_of(executable: Path) -> str:
    """The ``X.Y.Z`` a solc executable reports on ``--version``."""
    try:
        completed = subprocess.run(
            [str(executable), "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(f"Cannot run {executable} --version: {exc}") from exc
    match = _SOLC_VERSION_LINE.search(completed.stdout)
    if completed.returncode != 0 or match is None:
        raise ToolchainError(
            f"{executable} --version failed (exit {completed.returncode}): "
            f"{completed.stderr.strip() or completed.stdout.strip()}; {_INSTALL_HINT}."
        )
    return match.group(1)


def install_solc_wrapper(
    pin: CompilerPin | None = None,
    directory: Path | None = None,
    *,
    layout: ProjectLayout | None = None,
    export_env: bool = False,
) -> Path:
    """Write ``<directory>/solc-v<version>`` running ``node scripts/solc.js`` and check it.

    Returns the directory, which is what ``SOLCX_BINARY_PATH`` must name for
    py-solc-x and ape-solidity to find the compiler; with ``export_env`` it is
    also set in this process's environment (for ape running in-process).
    Raises :class:`ToolchainError` if Node.js or npm's solc is missing, or if
    npm's solc is not the pinned version.
    """
    layout = layout or ProjectLayout.default()
    pin = pin or load_pin(layout.ape_config)
    directory = (directory or default_solcx_dir(layout)).resolve()

    if shutil.which("node") is None:
        raise ToolchainError("Node.js (`node`) is not on PATH; it runs the Solidity compiler.")
    npm_solc = _npm_package_version(layout, "solc")
    if npm_solc != pin.version:
        raise ToolchainError(
            f"node_modules has solc {npm_solc} but ape-config.yaml pins {pin.version}; "
            f"{_INSTALL_HINT}, or align package.json with the pin."
        )
    if not layout.solc_script.is_file():
        raise ToolchainError(f"The solc wrapper script {layout.solc_script} is missing.")

    executable = directory / f"solc-v{pin.version}"
    script = (
        "#!/bin/sh\n"
        "# Written by rdh_chain.toolchain: npm's WebAssembly solc behind a native-looking CLI.\n"
        f'exec node {shlex.quote(str(layout.solc_script))} "$@"\n'
    )
    _write_executable(executable, script)

    # Starting node costs half a second: check each wrapper once per process.
    if (executable, script) not in _VERIFIED_WRAPPERS:
        reported = solc_version_of(executable)
        if reported != pin.version:
            raise ToolchainError(
                f"{executable} reports solc {reported} but ape-config.yaml pins {pin.version}; "
                f"{_INSTALL_HINT}."
            )
        _VERIFIED_WRAPPERS.add((executable, script))
    if export_env:
        os.environ[SOLCX_BINARY_PATH_ENV] = str(directory)
    return directory


def _write_executable(path: Path, text: str) -> None:
    # Rewritten only when different, and through a rename, so concurrent
    # builds never run a half-written script.
    if path.is_file() and os.access(path, os.X_OK) and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o755)
    tmp.replace(path)


def read_sources(layout: ProjectLayout | None = None) -> dict[str, str]:
    """Every ``contracts/**/*.sol``, keyed by its path relative to the project root.

    These keys are solc's source unit names, so relative imports resolve the
    same way for this module and for ape.
    """
    layout = layout or ProjectLayout.default()
    return {
        path.relative_to(layout.root).as_posix(): path.read_text(encoding="utf-8")
        for path in contract_sources(layout.contracts_dir)
    }


def standard_json_input(pin: CompilerPin, sources: Mapping[str, str]) -> dict[str, Any]:
    """The solc standard-JSON input compiling ``sources`` with the pinned settings."""
    settings = pin.settings()
    # Select outputs for our own files only: OpenZeppelin's are compiled as
    # imports but never reported.
    settings["outputSelection"] = {name: {"*": list(_OUTPUTS)} for name in sources}
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": settings,
    }


def compile_contracts(
    pin: CompilerPin | None = None,
    *,
    layout: ProjectLayout | None = None,
    sources: Mapping[str, str] | None = None,
    solc_dir: Path | None = None,
) -> dict[str, CompiledContract]:
    """Compile every source under ``contracts/`` and return its contracts by name.

    Only contracts defined under ``contracts/`` are returned (interfaces and
    libraries included, with empty bytecode ``0x`` where nothing deploys).
    Raises :class:`CompilationError` with solc's messages on any error;
    warnings are logged.
    """
    layout = layout or ProjectLayout.default()
    pin = pin or load_pin(layout.ape_config)
    sources = read_sources(layout) if sources is None else sources
    if not sources:
        raise CompilationError(f"No Solidity sources found under {layout.contracts_dir}.")
    npm_versions(pin, layout)  # fail early on an outdated node_modules
    directory = install_solc_wrapper(pin, solc_dir, layout=layout)

    try:
        output: dict[str, Any] = solcx.compile_standard(
            standard_json_input(pin, sources),
            base_path=str(layout.root),
            solc_binary=directory / f"solc-v{pin.version}",
        )
    except SolcError as exc:
        if exc.error_dict is None:  # the compiler itself failed, not the sources
            raise ToolchainError(f"solc {pin.version} did not run: {exc}") from exc
        messages = [e["formattedMessage"] for e in exc.error_dict if e["severity"] == "error"]
        raise CompilationError("Solidity compilation failed:\n" + "\n".join(messages)) from exc

    for diagnostic in output.get("errors", []):
        # Warnings inside OpenZeppelin are not ours to act on; keep them out of the way.
        ours = diagnostic.get("sourceLocation", {}).get("file") in sources
        logger.log(
            logging.WARNING if ours else logging.DEBUG,
            "%s",
            diagnostic.get("formattedMessage", diagnostic.get("message")),
        )

    compiled: dict[str, CompiledContract] = {}
    for source, contracts in output.get("contracts", {}).items():
        if source not in sources:
            continue
        for name, data in contracts.items():
            if name in compiled:
                raise CompilationError(
                    f"Contract name {name} is defined in both {compiled[name]['source']} "
                    f"and {source}; rename one, artifacts are keyed by name."
                )
            compiled[name] = CompiledContract(
                abi=data["abi"],
                bytecode="0x" + data["evm"]["bytecode"]["object"],
                deployedBytecode="0x" + data["evm"]["deployedBytecode"]["object"],
                source=source,
                userdoc=data.get("userdoc", {}),
                devdoc=data.get("devdoc", {}),
                storageLayout=data.get("storageLayout", {}),
            )
    return compiled
