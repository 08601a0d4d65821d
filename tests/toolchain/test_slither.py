"""The slither runner behind `make lint`: stable finding ids, the triage file, a real run.

Most tests feed the runner results shaped like slither's JSON; one runs slither on a tiny
project (this checkout's pin and node_modules, one small contract) through the wrapper.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rdh_chain import paths
from rdh_chain.exceptions import ConfigError
from rdh_chain.toolchain import ProjectLayout, load_pin
from rdh_chain.toolchain.slither import (
    Finding,
    TriageEntry,
    apply_triage,
    finding_key,
    load_triage,
    parse_findings,
    run_slither,
    slither_input,
)

ROOT = Path("/project")


def _contract(name: str) -> dict[str, Any]:
    return {"type": "contract", "name": name, "source_mapping": {}}


def _function(contract: str, name: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "source_mapping": {"filename_absolute": "/project/contracts/C.sol", "lines": [10, 11, 12]},
        "type_specific_fields": {"parent": _contract(contract), "signature": f"{name}()"},
    }


def _result(check: str, impact: str, first: dict[str, Any]) -> dict[str, Any]:
    return {
        "check": check,
        "impact": impact,
        "confidence": "High",
        "description": f"{first['name']} is flagged\n\t- details\n",
        "elements": [first],
    }


def _finding(check: str, impact: str, key: str) -> Finding:
    return Finding(check=check, impact=impact, key=key, summary="", location="")


def test_finding_key_names_function_with_its_contract_not_its_lines() -> None:
    assert finding_key(_result("timestamp", "Low", _function("EMCBidding", "commitBid"))) == (
        "EMCBidding.commitBid"
    )


def test_finding_key_names_local_variable_inside_its_function() -> None:
    local = {
        "type": "variable",
        "name": "loss",
        "type_specific_fields": {"parent": _function("EMCSettlement", "settle")},
    }

    assert finding_key(_result("uninitialized-local", "Medium", local)) == (
        "EMCSettlement.settle.loss"
    )


def test_finding_key_names_node_by_its_function() -> None:
    node = {
        "type": "node",
        "name": "x = 1",
        "type_specific_fields": {"parent": _function("EMC", "fallback")},
    }

    assert finding_key(_result("assembly", "Informational", node)) == "EMC.fallback"


def test_finding_key_names_state_variable_with_its_contract() -> None:
    variable = {
        "type": "variable",
        "name": "_owner",
        "type_specific_fields": {"parent": _contract("EMCStorage")},
    }

    assert finding_key(_result("uninitialized-state", "High", variable)) == "EMCStorage._owner"


def test_parse_findings_sorts_by_impact_and_locates_first_element_under_root() -> None:
    low = _result("timestamp", "Low", _function("A", "f"))
    high = _result("uninitialized-state", "High", _function("B", "g"))

    findings = parse_findings([low, high], ROOT)

    assert [f.impact for f in findings] == ["High", "Low"]
    assert findings[0].location == "contracts/C.sol#L10-L12"
    assert findings[0].summary == "g is flagged"


def test_apply_triage_fails_on_untriaged_medium_but_only_reports_low() -> None:
    medium = _finding("unused-return", "Medium", "A.f")
    low = _finding("timestamp", "Low", "A.g")

    report = apply_triage([medium, low], [])

    assert report.untriaged == (medium, low)
    assert report.failing == (medium,)
    assert not report.ok
    assert apply_triage([low], []).ok


def test_apply_triage_prefers_exact_entry_and_counts_pattern_as_used() -> None:
    finding = _finding("unused-state", "Informational", "EMCStorage._owner")
    pattern = TriageEntry("unused-state", "EMCStorage.*", "shared layout")
    exact = TriageEntry("unused-state", "EMCStorage._owner", "the owner")

    report = apply_triage([finding], [pattern, exact])

    assert report.triaged == ((finding, exact),)
    assert report.stale == ()
    assert report.ok


def test_apply_triage_fails_on_entry_matching_nothing() -> None:
    finding = _finding("timestamp", "Low", "A.f")
    stale = TriageEntry("timestamp", "A.gone", "was a deadline")
    other_detector = TriageEntry("calls-loop", "A.f", "same id, another detector")

    report = apply_triage([finding], [stale, other_detector])

    assert report.stale == (stale, other_detector)
    assert report.untriaged == (finding,)
    assert not report.ok


def test_load_triage_reads_one_table_per_detector(tmp_path: Path) -> None:
    path = tmp_path / "triage.toml"
    path.write_text('[timestamp]\n"A.f" = "a deadline"\n"B.*" = "more deadlines"\n')

    assert load_triage(path) == [
        TriageEntry("timestamp", "A.f", "a deadline"),
        TriageEntry("timestamp", "B.*", "more deadlines"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('timestamp = "a reason"\n', r"must be a table"),
        ('[timestamp]\n"A.f" = ""\n', r"needs a one-line reason"),
        ('[timestamp]\n"A.f" = """one\ntwo"""\n', r"needs a one-line reason"),
        ("[timestamp\n", r"not valid TOML"),
    ],
)
def test_load_triage_raises_config_error_when_entry_is_malformed(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "triage.toml"
    path.write_text(text)

    with pytest.raises(ConfigError, match=message):
        load_triage(path)


def test_committed_triage_file_loads() -> None:
    assert load_triage(paths.PROJECT_ROOT / "slither.triage.toml")


def test_slither_input_compiles_every_source_with_the_pinned_settings() -> None:
    pin = load_pin()

    data = slither_input(pin, ["contracts/B.sol", "contracts/A.sol"])

    assert list(data["sources"]) == ["contracts/A.sol", "contracts/B.sol"]
    assert data["sources"]["contracts/A.sol"] == {"urls": ["contracts/A.sol"]}
    assert data["settings"] == pin.settings()
    assert data["settings"]["evmVersion"] == "cancun"
    assert "outputSelection" not in data["settings"]  # crytic-compile asks for the ASTs


TALLY = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Tally is Ownable {
    uint256[] private _values;

    constructor() Ownable(msg.sender) {}

    function add(uint256 value) external onlyOwner {
        _values.push(value);
    }

    function sum() external view returns (uint256) {
        uint256 total;
        for (uint256 i; i < _values.length; ++i) total += _values[i];
        return total;
    }
}
"""


def test_run_slither_reports_findings_in_contracts_only(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "contracts").mkdir(parents=True)
    (root / "ape-config.yaml").write_text(paths.APE_CONFIG.read_text())
    (root / "node_modules").symlink_to(paths.NODE_MODULES, target_is_directory=True)
    (root / "contracts" / "Tally.sol").write_text(TALLY)
    layout = ProjectLayout.at(root)

    run = run_slither(layout, load_pin(layout.ape_config))
    findings = parse_findings(run.results, layout.root)

    assert run.version == "0.11.6"
    local = [f for f in findings if f.check == "uninitialized-local"]
    assert [f.key for f in local] == ["Tally.sum.total"]
    assert local[0].location.startswith("contracts/Tally.sol#L")
    # OpenZeppelin is compiled but never reported on its own.
    assert [f.location for f in findings if not f.location.startswith("contracts/")] == []
    assert (root / ".build" / "slither" / "input.json").is_file()
