"""The EMC template and its delegatecall module lay out storage alike (audit finding 12).

Every clone runs ``EMCModule``'s code on its own storage through the template's fallback,
so a variable the module reads at one slot must be the variable the template writes there.
Both inherit their state from ``EMCStorage`` and must declare none of their own: solc's
storage layouts (``storageLayout`` in the build file) must show

* the module's layout equal, variable by variable (name, slot, offset, type and the type's
  own layout), to ``EMCStorage``'s;
* the template's layout the same, followed only by OpenZeppelin ``EIP712``'s two fallback
  strings (the template signs typed data; the module never touches them);
* every variable of both declared in ``EMCStorage`` (the same declaration, by AST id).

``layout_problems`` states these rules; the synthetic cases below show that it catches a
variable added to the module (or the template, or moved within ``EMCStorage`` on one side
only), so the test fails the moment someone declares state outside ``EMCStorage``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rdh_chain.toolchain import Artifact

# What OpenZeppelin's EIP712 adds after EMCStorage in the template: short-string fallbacks.
EIP712_FALLBACKS = [("_nameFallback", "t_string_storage"), ("_versionFallback", "t_string_storage")]


def _strip(value: Any) -> Any:
    """``value`` without solc's ``contract`` keys, which name the contract being laid out."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "contract"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _variables(layout: dict[str, Any]) -> list[dict[str, Any]]:
    storage: list[dict[str, Any]] = layout.get("storage") or []
    return storage


def _type_closure(layout: dict[str, Any], type_id: str) -> dict[str, Any]:
    """The definition of ``type_id`` and of every type it is built from."""
    types: dict[str, Any] = layout.get("types") or {}
    found: dict[str, Any] = {}
    pending = [type_id]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        definition = types.get(current)
        if definition is None:
            found[current] = None
            continue
        found[current] = _strip(definition)
        pending += [m["type"] for m in definition.get("members", [])]
        pending += [definition[k] for k in ("key", "value", "base") if k in definition]
    return found


def _entry(layout: dict[str, Any], variable: dict[str, Any]) -> dict[str, Any]:
    """What must agree between two layouts for one variable: declaration, place, type."""
    return {
        "astId": variable["astId"],
        "label": variable["label"],
        "slot": variable["slot"],
        "offset": variable["offset"],
        "type": variable["type"],
        "types": _type_closure(layout, variable["type"]),
    }


def layout_problems(
    storage: dict[str, Any], template: dict[str, Any], module: dict[str, Any]
) -> list[str]:
    """Every way the template's and the module's layouts break the rules above (none: [])."""
    problems: list[str] = []
    base = [_entry(storage, v) for v in _variables(storage)]
    if not base:
        problems.append("EMCStorage declares no state: the layouts were not built")
    declared = {v["astId"] for v in _variables(storage)}
    for name, layout, allowed_after in (
        ("EMCModule", module, []),
        ("EMC", template, EIP712_FALLBACKS),
    ):
        entries = [_entry(layout, v) for v in _variables(layout)]
        head, tail = entries[: len(base)], entries[len(base) :]
        for index, (ours, theirs) in enumerate(zip(base, head, strict=False)):
            if ours != theirs:
                problems.append(
                    f"{name} variable {index} is {theirs['label']} at slot {theirs['slot']} "
                    f"offset {theirs['offset']} ({theirs['type']}); EMCStorage has "
                    f"{ours['label']} at slot {ours['slot']} offset {ours['offset']} "
                    f"({ours['type']})"
                )
        if len(head) < len(base):
            problems.append(f"{name} lays out {len(head)} variables of EMCStorage's {len(base)}")
        extra = [(e["label"], e["type"]) for e in tail]
        if extra != allowed_after[: len(extra)] or len(extra) > len(allowed_after):
            problems.append(f"{name} declares state after EMCStorage's: {extra}")
        elif extra:
            # The fallbacks must come right after EMCStorage's last slot, each in its own.
            last = int(base[-1]["slot"]) if base else -1
            slots = [int(e["slot"]) for e in tail]
            if slots != list(range(last + 1, last + 1 + len(slots))):
                problems.append(f"{name}'s EIP712 fallbacks are at slots {slots}")
        outside = [
            e["label"]
            for e in head + tail
            if e["astId"] not in declared and (e["label"], e["type"]) not in allowed_after
        ]
        if outside:
            problems.append(f"{name} declares state outside EMCStorage: {outside}")
    return problems


@pytest.fixture(scope="module")
def layouts(artifacts: dict[str, Artifact]) -> dict[str, dict[str, Any]]:
    found = {name: artifacts[name].storage_layout for name in ("EMCStorage", "EMC", "EMCModule")}
    for name, layout in found.items():
        assert _variables(layout), (
            f"the build file has no storage layout for {name}: run `make build`"
        )
    return found


def test_emc_module_and_template_lay_out_storage_as_emc_storage(
    layouts: dict[str, dict[str, Any]],
) -> None:
    assert layout_problems(layouts["EMCStorage"], layouts["EMC"], layouts["EMCModule"]) == []


def test_the_template_adds_only_the_eip712_fallback_strings(
    layouts: dict[str, dict[str, Any]],
) -> None:
    storage, template, module = (_variables(layouts[n]) for n in ("EMCStorage", "EMC", "EMCModule"))
    assert len(module) == len(storage)
    assert [(v["label"], v["type"]) for v in template[len(storage) :]] == EIP712_FALLBACKS
    # Each in its own slot, right after EMCStorage's last (which the module never passes).
    last = int(storage[-1]["slot"])
    assert [(v["slot"], v["offset"]) for v in template[len(storage) :]] == [
        (str(last + 1), 0),
        (str(last + 2), 0),
    ]
    assert (storage[0]["label"], storage[0]["slot"], storage[0]["offset"]) == ("_owner", "0", 0)


def test_every_emc_part_declares_no_state_of_its_own(artifacts: dict[str, Artifact]) -> None:
    # The abstract parts the template and the module are assembled from: each lays out
    # EMCStorage's variables and nothing else (the template's halves add EIP712's).
    storage = [
        _entry(artifacts["EMCStorage"].storage_layout, v)
        for v in _variables(artifacts["EMCStorage"].storage_layout)
    ]
    with_eip712 = {"EMCVersions", "EMCSettlement", "EMC"}
    for name in (
        "EMCAccounting",
        "EMCBidding",
        "EMCCapital",
        "EMCDepartures",
        "EMCFunds",
        "EMCReturns",
        "EMCSettlement",
        "EMCVersions",
        "EMCModule",
        "EMC",
    ):
        layout = artifacts[name].storage_layout
        variables = _variables(layout)
        assert [_entry(layout, v) for v in variables[: len(storage)]] == storage, name
        extra = [(v["label"], v["type"]) for v in variables[len(storage) :]]
        assert extra == (EIP712_FALLBACKS if name in with_eip712 else []), name


# -- the check catches what it must --------------------------------------------------------


def _added(layout: dict[str, Any], label: str, slot: str, offset: int = 0) -> dict[str, Any]:
    changed = copy.deepcopy(layout)
    changed["storage"].append(
        {
            "astId": 10**9,
            "contract": "contracts/EMCModule.sol:EMCModule",
            "label": label,
            "offset": offset,
            "slot": slot,
            "type": "t_uint256",
        }
    )
    changed["types"]["t_uint256"] = {
        "encoding": "inplace",
        "label": "uint256",
        "numberOfBytes": "32",
    }
    return changed


def test_layout_check_fails_when_the_module_declares_a_variable(
    layouts: dict[str, dict[str, Any]],
) -> None:
    # `uint256 private _cache;` in EMCModule: solc puts it after EMCStorage's last slot,
    # where the template keeps EIP712's name fallback.
    storage, template = layouts["EMCStorage"], layouts["EMC"]
    next_slot = str(int(_variables(storage)[-1]["slot"]) + 1)
    module = _added(layouts["EMCModule"], "_cache", next_slot)
    assert layout_problems(storage, template, module) == [
        "EMCModule declares state after EMCStorage's: [('_cache', 't_uint256')]",
        "EMCModule declares state outside EMCStorage: ['_cache']",
    ]


def test_layout_check_fails_when_the_template_declares_a_variable(
    layouts: dict[str, dict[str, Any]],
) -> None:
    storage, module = layouts["EMCStorage"], layouts["EMCModule"]
    template = _added(layouts["EMC"], "_cache", str(int(_variables(storage)[-1]["slot"]) + 3))
    assert layout_problems(storage, template, module) == [
        "EMC declares state after EMCStorage's: "
        "[('_nameFallback', 't_string_storage'), ('_versionFallback', 't_string_storage'), "
        "('_cache', 't_uint256')]",
        "EMC declares state outside EMCStorage: ['_cache']",
    ]


def test_layout_check_fails_when_a_variable_moves_in_one_layout_only(
    layouts: dict[str, dict[str, Any]],
) -> None:
    # As if the module were built from another EMCStorage, with `_reporter` one slot on.
    storage, template = layouts["EMCStorage"], layouts["EMC"]
    module = copy.deepcopy(layouts["EMCModule"])
    moved = next(v for v in module["storage"] if v["label"] == "_reporter")
    slot = int(moved["slot"])
    moved["slot"] = str(slot + 1)
    index = module["storage"].index(moved)
    assert layout_problems(storage, template, module) == [
        f"EMCModule variable {index} is _reporter at slot {slot + 1} offset 0 (t_address); "
        f"EMCStorage has _reporter at slot {slot} offset 0 (t_address)"
    ]


def test_layout_check_fails_when_a_struct_changes_in_one_layout_only(
    layouts: dict[str, dict[str, Any]],
) -> None:
    # The same variable, but its struct type laid out differently (a field moved).
    storage, template = layouts["EMCStorage"], layouts["EMC"]
    module = copy.deepcopy(layouts["EMCModule"])
    terms = next(v for v in module["storage"] if v["label"] == "_terms")
    members = module["types"][terms["type"]]["members"]
    members[0]["offset"] += 1
    problems = layout_problems(storage, template, module)
    assert len(problems) == 1
    assert problems[0].startswith("EMCModule variable ")
    assert "_terms" in problems[0]
