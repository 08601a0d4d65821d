"""`ape compile` builds the contracts offline with the same pinned compiler, run as it is in
the project's virtualenv (no SOLCX_BINARY_PATH: the virtualenv's hook names the compiler)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from rdh_chain import paths
from rdh_chain.chain import free_port
from rdh_chain.toolchain import load_artifacts, load_pin
from rdh_chain.toolchain.venv import HOOK_NAME, hook_text, install_site_hook


def _offline_env(home: Path) -> dict[str, str]:
    """This environment without SOLCX_BINARY_PATH (the Makefile's), with an empty home (no
    ~/.solcx, no ape data folder) and every download sent to a port nothing listens on."""
    env = {k: v for k, v in os.environ.items() if k != "SOLCX_BINARY_PATH"}
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env[name] = dead
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    env["HOME"] = str(home)
    return env


def test_the_virtualenv_names_the_pinned_solc_without_the_makefile(tmp_path: Path) -> None:
    hook = Path(sysconfig.get_paths()["purelib"]) / HOOK_NAME
    assert hook.is_file(), f"{hook} is missing: `make install` writes it"
    env = _offline_env(tmp_path)

    done = subprocess.run(
        [sys.executable, "-c", "import solcx; print(solcx.get_solcx_install_folder())"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    solcx_dir = paths.PROJECT_ROOT / ".build" / "solcx"
    assert done.stdout.strip() == str(solcx_dir)
    assert (solcx_dir / f"solc-v{load_pin(paths.APE_CONFIG).version}").is_file()


def test_install_site_hook_writes_the_line_once(tmp_path: Path) -> None:
    first = install_site_hook(tmp_path / "solcx", site_dir=tmp_path)
    written = first.stat().st_mtime_ns
    again = install_site_hook(tmp_path / "solcx", site_dir=tmp_path)

    assert first == again == tmp_path / HOOK_NAME
    assert again.stat().st_mtime_ns == written
    assert first.read_text(encoding="utf-8") == hook_text(tmp_path / "solcx")
    assert first.read_text(encoding="utf-8").startswith("import os; os.environ.setdefault(")


def test_ape_compile_builds_every_contract_offline_as_the_virtualenv_is(tmp_path: Path) -> None:
    # A copy of the project's sources and config, so ape's .build/ lands in tmp_path.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(paths.CONTRACTS_DIR, project / "contracts")
    shutil.copy(paths.APE_CONFIG, project / "ape-config.yaml")
    (project / "node_modules").symlink_to(paths.NODE_MODULES, target_is_directory=True)
    home = tmp_path / "home"
    home.mkdir()
    ape = Path(sys.executable).with_name("ape")

    done = subprocess.run(
        [str(ape), "compile", "--force"],
        cwd=project,
        env=_offline_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert not (home / ".solcx").exists()  # nothing looked for, nor downloaded, a solc there
    manifest = json.loads((project / ".build" / "__local__.json").read_text())
    types = manifest["contractTypes"]
    for name, artifact in load_artifacts().items():
        if not artifact.deployable:
            continue
        assert types[name]["abi"] == artifact.abi, name
        # Same compiler and settings: the same code, but for the trailing metadata hash.
        assert (
            types[name]["runtimeBytecode"]["bytecode"][:-200] == artifact.deployed_bytecode[:-200]
        )
