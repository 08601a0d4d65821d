"""Every shell example of README.md runs as written, in order, in one shell beside the demo.

README.md marks each ```sh block: ``<!-- example -->`` blocks run here, and
``<!-- example: skip (reason) -->`` blocks (a process that serves until Ctrl-C, the test
suite itself) say why they do not. The demo is ``make run``'s (:func:`rdh_chain.demo.run`
on a fresh anvil: deployment, seeding, the index, the run record in the data folder), with
the examples in place of the gateway, so the shell finds its chain only the way a second
terminal does: through the data folder, with no ``RDH_RPC_URL``.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rdh_chain import paths
from rdh_chain.chain import free_port
from rdh_chain.config import RunRecord, Settings
from rdh_chain.demo import run

README = paths.PROJECT_ROOT / "README.md"
_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!-- example(?:: skip \((?P<reason>[^)]+)\))? -->$")
_SHELLS = {"sh", "bash", "shell", "console"}


@dataclass(frozen=True)
class Block:
    """A fenced shell block of README.md: its first line's number (1-based) and lines."""

    line: int
    lines: tuple[str, ...]
    marker: str | None  # the HTML comment just above the fence, if any

    @property
    def skip_reason(self) -> str | None:
        match = _MARKER.match(self.marker or "")
        return None if match is None else match.group("reason")

    @property
    def runs(self) -> bool:
        return self.marker == "<!-- example -->"


def shell_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opened = _FENCE.match(lines[index])
        if opened is None:
            index += 1
            continue
        end = next(j for j in range(index + 1, len(lines)) if lines[j].startswith("```"))
        if opened.group(1) in _SHELLS:
            above = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), None)
            marker = above.strip() if above and above.startswith("<!--") else None
            blocks.append(Block(index + 2, tuple(lines[index + 1 : end]), marker))
        index = end + 1
    return blocks


def test_every_shell_block_of_the_readme_is_marked_to_run_or_skipped_with_a_reason() -> None:
    blocks = shell_blocks(README.read_text(encoding="utf-8"))

    unmarked = [
        f"README.md:{b.line - 1}"
        for b in blocks
        if b.marker is None or _MARKER.match(b.marker) is None
    ]
    assert not unmarked, (
        "mark each ```sh block with <!-- example --> (run by this test) or "
        f"<!-- example: skip (why) -->: {unmarked}"
    )
    assert sum(b.runs for b in blocks) >= 6
    assert all(b.runs or b.skip_reason for b in blocks)


def script_of(text: str) -> str:
    """The examples as one bash script whose line N is README.md's line N, so that an error
    names the README line that failed."""
    lines = text.splitlines()
    script = [""] * len(lines)
    for block in shell_blocks(text):
        if block.runs:
            for offset, line in enumerate(block.lines):
                script[block.line - 1 + offset] = line
    # README.md's first line is its title, never a command: the prelude takes its place.
    script[0] = (
        "set -eE -o pipefail; PS4='+ README.md:$LINENO: '; set -x; "
        "trap 'echo \"README.md:$LINENO failed (exit $?)\" >&2' ERR"
    )
    return "\n".join(script) + "\n"


def _second_shell_env(data_dir: Path) -> dict[str, str]:
    """A terminal in the project beside `make run`: no RDH_* but the data folder, and no
    virtualenv active (the examples activate it)."""
    venv_bin = str(paths.PROJECT_ROOT / ".venv" / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RDH_") and k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["RDH_DATA_DIR"] = str(data_dir)
    return env


def test_readme_examples_run_as_written_beside_the_demo(tmp_path: Path) -> None:
    # The project folder as the reader has it: the examples write their files (v2.json,
    # the signatures, trend.svg, history.csv) into it, and source .venv/bin/activate.
    project = tmp_path / "project"
    project.mkdir()
    (project / ".venv").symlink_to(paths.PROJECT_ROOT / ".venv", target_is_directory=True)
    data_dir = project / ".rdh"
    settings = Settings(
        rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=data_dir, api_port=free_port()
    )
    script = project / "readme-examples.sh"
    script.write_text(script_of(README.read_text(encoding="utf-8")), encoding="utf-8")
    seen: dict[str, object] = {}

    def examples(served: Settings) -> None:
        seen["record"] = RunRecord.load(served.data_dir)
        try:
            seen["done"] = subprocess.run(
                ["bash", str(script)],
                cwd=project,
                env=_second_shell_env(data_dir),
                capture_output=True,
                text=True,
                # About 50 commands of 1-2 s each on an idle machine; far more when loaded.
                timeout=1800,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:  # say where it stood
            shown = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            raise AssertionError(
                f"the examples timed out; the last ones:\n{shown[-3000:]}"
            ) from exc

    run(settings, serve=examples)

    done = seen["done"]
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 0, f"{done.stderr[-6000:]}\n--- stdout ---\n{done.stdout[-3000:]}"
    record = seen["record"]
    assert isinstance(record, RunRecord)
    assert (record.rpc_url, record.pid) == (settings.rpc_url, os.getpid())
    assert RunRecord.load(data_dir) is None  # removed when the demo stopped
    assert not (data_dir / "run.json").exists()
    # What the examples did, as they said it.
    out = done.stdout
    assert "activated version 2 from period 2, signed by 15 parties" in out
    assert "proposed and activated version 3 of " in out  # the signed draft
    assert "activated version 4 from period 2" in out  # rdh shares set
    assert "dissolved" in out
    assert "; no mismatch" in out  # rdh audit verify
    assert (project / "trend.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert (project / "history.csv").read_text(encoding="utf-8").startswith("kind,")
