"""The one compile step: pinned solc, OpenZeppelin imports, the ``rdh_chain/_build`` cache.

A build and dev tool: the runtime SDK reads the cache through :mod:`rdh_chain.artifacts`
and never imports this package.
"""

from rdh_chain.artifacts import CompiledContract
from rdh_chain.toolchain.artifacts import (
    Artifact,
    BuildResult,
    all_abis,
    build_inputs,
    current_sources_hash,
    ensure_built,
    load_artifacts,
    sources_hash,
)
from rdh_chain.toolchain.compiler import (
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
    "build_inputs",
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
