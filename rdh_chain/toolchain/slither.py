"""``python -m rdh_chain.toolchain.slither``: slither over ``contracts/``, every finding triaged.

Slither (``slither-analyzer``, a dev dependency) runs in this process on crytic-compile's
standard-JSON platform: the compiler input comes from the pin in ``ape-config.yaml`` (EVM
version, optimizer, via-IR, the OpenZeppelin remapping into ``node_modules``) and is
compiled by the pinned solc wrapper, so nothing is downloaded (no solc-select) and slither
analyses the bytecode the build produces. Only findings with an element in
``contracts/`` are reported.

``slither.triage.toml`` accepts findings, one table per detector, each entry a stable id
and a one-line reason::

    [uninitialized-local]
    "EMCSettlement.settle.loss" = "zero unless the period is a loss; read only then"

The id is ``<Contract>.<function or state variable>[.<local variable>]`` of the finding's
first element, never a line number, so unrelated edits do not invalidate it; ``*``
matches any part of it (``"EMCStorage.*"``), and ``"*"`` accepts a detector everywhere.

The run fails on an untriaged finding of medium or high impact, and on a triage entry
that matches nothing (so the triage cannot go stale silently); low, informational and
optimization findings are reported, triaged or not.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import re
import shlex
import sys
import time
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rdh_chain.exceptions import ConfigError, RdhChainError, ToolchainError
from rdh_chain.toolchain.compiler import (
    CompilerPin,
    install_solc_wrapper,
    load_pin,
    npm_versions,
    read_sources,
)
from rdh_chain.toolchain.layout import ProjectLayout

TRIAGE_FILENAME = "slither.triage.toml"
#: Impacts that fail the run unless triaged; slither's other impacts are Low,
#: Informational and Optimization.
FAILING_IMPACTS = frozenset({"High", "Medium"})
_IMPACT_ORDER = {"High": 0, "Medium": 1, "Low": 2, "Informational": 3, "Optimization": 4}
_WORK_DIR = Path(".build") / "slither"
_INSTALL_HINT = "run `make install` (slither-analyzer is in the dev extras of pyproject.toml)"


@dataclass(frozen=True)
class Finding:
    """One slither result, reduced to what triage and the report need."""

    check: str
    impact: str
    key: str  # the stable id, e.g. "EMCVersions.proposeVersion.total"
    summary: str  # the first line of slither's description
    location: str  # e.g. "contracts/emc/EMCVersions.sol#L56"

    @property
    def failing_impact(self) -> bool:
        return self.impact in FAILING_IMPACTS


@dataclass(frozen=True)
class TriageEntry:
    """An accepted finding (or a pattern of them) of one detector, with its reason."""

    check: str
    pattern: str
    reason: str

    @property
    def exact(self) -> bool:
        return not any(char in self.pattern for char in "*?[")

    def matches(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatch.fnmatchcase(finding.key, self.pattern)


@dataclass(frozen=True)
class TriageReport:
    """Every finding, triaged or not, and the triage entries that matched nothing."""

    triaged: tuple[tuple[Finding, TriageEntry], ...]
    untriaged: tuple[Finding, ...]
    stale: tuple[TriageEntry, ...]

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.untriaged if f.failing_impact)

    @property
    def ok(self) -> bool:
        return not self.failing and not self.stale


# -- findings ----------------------------------------------------------------------------


def _parent(element: Mapping[str, Any]) -> Mapping[str, Any] | None:
    parent = element.get("type_specific_fields", {}).get("parent")
    return parent if isinstance(parent, Mapping) else None


def _qualified_name(element: Mapping[str, Any]) -> str:
    """``Contract.member[.local]`` of a slither result element.

    A node (a statement) stands for its function; a local variable or parameter is
    named inside its function, a function or state variable inside its contract.
    """
    name = str(element.get("name", ""))
    parent = _parent(element)
    if element.get("type") == "node" and parent is not None:
        return _qualified_name(parent)
    if parent is None or element.get("type") == "contract":
        return name
    return f"{_qualified_name(parent)}.{name}"


def finding_key(result: Mapping[str, Any]) -> str:
    """The stable id of a slither result: the qualified name of its first element."""
    elements = result.get("elements") or []
    if not elements:
        return "*"  # results about the whole compilation, e.g. a pragma mix
    return _qualified_name(elements[0])


def _location(result: Mapping[str, Any], root: Path) -> str:
    """``path#Lfirst-Llast`` of the first element, the path relative to ``root``."""
    elements = result.get("elements") or []
    mapping = elements[0].get("source_mapping", {}) if elements else {}
    filename = mapping.get("filename_absolute")
    if not filename:
        return ""
    path = Path(filename)
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    lines = mapping.get("lines") or []
    if not lines:
        return where
    first, last = min(lines), max(lines)
    return f"{where}#L{first}" + (f"-L{last}" if last != first else "")


def parse_findings(results: Iterable[Mapping[str, Any]], root: Path) -> list[Finding]:
    """Slither's detector results (the ``results.detectors`` of its JSON output)."""
    findings = []
    for result in results:
        description = str(result.get("description", "")).strip()
        findings.append(
            Finding(
                check=str(result["check"]),
                impact=str(result["impact"]),
                key=finding_key(result),
                summary=description.splitlines()[0] if description else "",
                location=_location(result, root),
            )
        )
    findings.sort(key=lambda f: (_IMPACT_ORDER.get(f.impact, len(_IMPACT_ORDER)), f.check, f.key))
    return findings


# -- triage ------------------------------------------------------------------------------


def load_triage(path: Path) -> list[TriageEntry]:
    """The entries of ``slither.triage.toml``: ``[detector]`` tables of ``"id" = "reason"``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc}; it lists the accepted findings.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    entries = []
    for check, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f'{path}: `{check}` must be a table of `"<id>" = "<reason>"` entries.'
            )
        for pattern, reason in table.items():
            if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
                raise ConfigError(
                    f"{path}: [{check}] {pattern!r} needs a one-line reason, got {reason!r}."
                )
            entries.append(TriageEntry(check=check, pattern=pattern, reason=reason.strip()))
    return entries


def apply_triage(findings: Iterable[Finding], entries: Sequence[TriageEntry]) -> TriageReport:
    """Match each finding to its entry: an exact id first, else the first matching pattern.

    Every entry that matches a finding counts as used, even where a more exact one gave
    the reason; the others are stale.
    """
    triaged: list[tuple[Finding, TriageEntry]] = []
    untriaged: list[Finding] = []
    used: set[TriageEntry] = set()
    for finding in findings:
        matching = [e for e in entries if e.matches(finding)]
        used.update(matching)
        if not matching:
            untriaged.append(finding)
            continue
        exact = [e for e in matching if e.exact]
        triaged.append((finding, (exact or matching)[0]))
    stale = tuple(e for e in entries if e not in used)
    return TriageReport(triaged=tuple(triaged), untriaged=tuple(untriaged), stale=stale)


# -- running slither ---------------------------------------------------------------------


def slither_input(pin: CompilerPin, sources: Iterable[str]) -> dict[str, Any]:
    """The standard-JSON input: every source under ``contracts/`` and the pinned settings.

    Sources are given by path (solc reads them from the project root). The output
    selection is left to crytic-compile, which asks for the ASTs and source maps slither
    needs.
    """
    return {
        "language": "Solidity",
        "sources": {name: {"urls": [name]} for name in sorted(sources)},
        "settings": pin.settings(),
    }


def include_pattern(layout: ProjectLayout) -> str:
    """The ``include_paths`` regex: our sources, not ape's ``contracts/.cache``.

    Slither keeps a result if any of its elements lies in an included path; with
    ``filter_paths`` it would drop one of ours that merely mentions OpenZeppelin (the
    ``pragma`` finding does).
    """
    return f"^{re.escape(layout.contracts_dir.resolve().as_posix())}/[^.]"


def equivalent_command(layout: ProjectLayout, solc: Path, input_file: Path) -> list[str]:
    """The slither command line that runs the same analysis, for reproducing it by hand.

    The runner does not use it: given a file, crytic-compile walks up from the working
    directory looking for a framework (a ``foundry.toml``, say), and one it finds would
    run ``forge config`` and have solc-select download the compiler it names.
    """

    def short(path: Path) -> str:
        return str(path.relative_to(layout.root) if path.is_relative_to(layout.root) else path)

    return [
        "slither",
        short(input_file),
        "--compile-force-framework",
        "solc-json",
        "--solc",
        short(solc),
        "--include-paths",
        include_pattern(layout),
        "--show-ignored-findings",
    ]


class _Collector(logging.Handler):
    """Keeps what slither and crytic-compile log, instead of printing it."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [self.format(record) for record in self.records]


@contextmanager
def _collected_logs() -> Iterator[_Collector]:
    """Routes every log record to a collector for the duration, then restores the root
    logger (slither's modules call ``logging.basicConfig()`` on import; with a handler in
    place that does nothing)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    collector = _Collector()
    root.handlers = [collector]
    root.setLevel(logging.INFO)
    try:
        yield collector
    finally:
        root.handlers = handlers
        root.setLevel(level)


@dataclass(frozen=True)
class SlitherRun:
    version: str
    results: list[dict[str, Any]]
    log: list[str]
    seconds: float
    command: list[str]  # an equivalent slither command line


def run_slither(layout: ProjectLayout, pin: CompilerPin) -> SlitherRun:
    """Compile with the wrapper and run every slither detector, in this process.

    crytic-compile gets the compiler input as a platform object, so it never looks for a
    framework or calls solc-select. ``show_ignored_findings`` disregards
    ``slither-disable`` comments and slither's own triage database:
    ``slither.triage.toml`` is the only place that accepts a finding.
    """
    npm_versions(pin, layout)  # OpenZeppelin in node_modules is the declared one
    solc = install_solc_wrapper(pin, layout=layout) / f"solc-v{pin.version}"
    compiler_input = slither_input(pin, read_sources(layout))
    work = layout.root / _WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
    input_file = work / "input.json"
    input_file.write_text(json.dumps(compiler_input, indent=2) + "\n", encoding="utf-8")

    with _collected_logs() as collector:
        try:
            # Imported here: only `make lint` needs slither (a dev dependency).
            from crytic_compile import CryticCompile
            from crytic_compile.platform.solc_standard_json import SolcStandardJson
            from slither import Slither
            from slither.detectors import all_detectors
            from slither.detectors.abstract_detector import AbstractDetector
        except ImportError as exc:
            raise ToolchainError(f"slither is not installed ({exc}); {_INSTALL_HINT}.") from exc

        started = time.monotonic()
        try:
            compilation = CryticCompile(
                SolcStandardJson(compiler_input),
                solc=str(solc),
                solc_working_dir=str(layout.root),
                cwd=str(layout.root),
            )
            analysis = Slither(
                compilation, include_paths=[include_pattern(layout)], show_ignored_findings=True
            )
            for detector in vars(all_detectors).values():
                if isinstance(detector, type) and issubclass(detector, AbstractDetector):
                    analysis.register_detector(detector)
            per_detector: list[list[dict[str, Any]]] = analysis.run_detectors()
        except Exception as exc:  # crytic-compile and slither raise their own exception types
            log = "\n".join(collector.lines()[-20:])
            raise ToolchainError(f"slither failed: {exc}\n{log}") from exc
        seconds = time.monotonic() - started
    return SlitherRun(
        version=version("slither-analyzer"),
        results=[result for results in per_detector for result in results],
        log=collector.lines(),
        seconds=seconds,
        command=equivalent_command(layout, solc, input_file),
    )


def _analysis_notes(log: Iterable[str]) -> list[str]:
    """Slither's warnings that it could not analyse a function (its IR failed)."""
    return [" ".join(line.split()) for line in log if line.startswith("Impossible to generate IR")]


# -- the report --------------------------------------------------------------------------


def format_report(report: TriageReport, triage_file: str) -> list[str]:
    lines = []
    if report.untriaged:
        lines.append(f"untriaged (medium and high fail; accept in {triage_file} with a reason):")
        for f in report.untriaged:
            lines.append(f"  {f.impact:<13} {f.check} {f.key}  [{f.location}]")
            lines.append(f"  {'':<13} {f.summary}")
    if report.triaged:
        lines.append("triaged:")
        counts: dict[TriageEntry, list[Finding]] = {}
        for finding, entry in report.triaged:
            counts.setdefault(entry, []).append(finding)
        for entry, found in counts.items():
            impact = found[0].impact
            times = f" (x{len(found)})" if len(found) > 1 else ""
            lines.append(f"  {impact:<13} {entry.check} {entry.pattern}{times}: {entry.reason}")
    if report.stale:
        lines.append(f"stale entries in {triage_file} (they match no finding; remove them):")
        lines.extend(f"  [{e.check}] {e.pattern!r}" for e in report.stale)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rdh_chain.toolchain.slither",
        description=f"Run slither over contracts/; check its findings against {TRIAGE_FILENAME}.",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also print what slither and crytic-compile logged, and an equivalent slither command",
    )
    args = parser.parse_args(argv)

    layout = ProjectLayout.default()
    try:
        entries = load_triage(layout.root / TRIAGE_FILENAME)
        pin = load_pin(layout.ape_config)
        run = run_slither(layout, pin)
    except RdhChainError as exc:
        print(f"slither: {exc}", file=sys.stderr)
        return 1

    findings = parse_findings(run.results, layout.root)
    report = apply_triage(findings, entries)
    if args.verbose:
        print("\n".join(run.log))
        print(f"equivalent command: {shlex.join(run.command)}")
    notes = _analysis_notes(run.log)
    if notes:
        print("slither could not analyse these functions (no IR):")
        print("\n".join(f"  {note}" for note in notes))
    print("\n".join(format_report(report, TRIAGE_FILENAME)))
    print(
        f"slither {run.version} over {layout.contracts_dir.name}/ with solc {pin.version} "
        f"(evm {pin.evm_version}): {len(findings)} findings in {run.seconds:.1f} s, "
        f"{len(report.triaged)} triaged, {len(report.untriaged)} untriaged "
        f"({len(report.failing)} medium or high), {len(report.stale)} stale triage entries"
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
