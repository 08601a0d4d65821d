"""The one compile step: pinned solc, OpenZeppelin imports, the ``build/contracts.json`` cache."""

from rdh_chain.toolchain.artifacts import (
    Artifact,
    BuildResult,
    all_abis,
    current_sources_hash,
    ensure_built,
    load_artifacts,
    sources_hash,
)
from rdh_chain.toolchain.compiler import (
    CompiledContract,
    CompilerPin,
    NpmDependency,
    compile_contracts,
    default_solcx_dir,
    install_solc_wrapper,
    load_pin,
    npm_versions,
    read_sources,
)
from rdh_chain.toolchain.layout import ProjectLayout

__all__ = [
    "Artifact",
    "BuildResult",
    "CompiledContract",
    "CompilerPin",
    "NpmDependency",
    "ProjectLayout",
    "all_abis",
    "compile_contracts",
    "current_sources_hash",
    "default_solcx_dir",
    "ensure_built",
    "install_solc_wrapper",
    "load_artifacts",
    "load_pin",
    "npm_versions",
    "read_sources",
    "sources_hash",
]
