"""``rdh member import``: many members from a CSV file, checked first, safe to run again."""

from __future__ import annotations

import json

from eth_account import Account
from web3 import Web3

from rdh_chain.profiles import Profile, ProfileKind, ProfileStore
from rdh_chain.toolchain import Artifact
from rdh_chain.types import Role
from tests.cli.conftest import Cli

HEADER = "account,role,kind,name,note\n"


def _deployed(cli: Cli) -> Cli:
    cli.run("deploy")
    cli.run("wallet", "new", "chef")
    return cli


def test_import_registers_every_row_with_its_profile_and_a_second_run_sends_nothing(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    cli = _deployed(cli)
    mes = [Account.create().address for _ in range(60)]
    lines = [f"{a},me,me,ME {i:02},\n" for i, a in enumerate(mes)]
    lines.append("keystores/chef.json,partner,partner,Chef Zhang Weili,a partner chef\n")
    lines.append(f"{mes[0]},auditor,,,\n")  # a second role, no profile: keeps the metadata
    file = cli.data_dir / "members.csv"
    file.write_text(HEADER + "".join(lines), encoding="utf-8")

    first = cli.run("member", "import", str(file), "--json")

    rows = json.loads(first.stdout)
    assert [r["outcome"] for r in rows] == ["mined"] * 62
    assert "62 row(s): 0 on chain already, sent 62 addition(s)" in first.stderr
    ledger = cli.ledger(w3, artifacts)
    chef = cli.address("chef")
    profile = Profile(name="Chef Zhang Weili", kind=ProfileKind.PARTNER, note="a partner chef")
    assert ledger.member(chef).metadata == profile.hash
    store = ProfileStore.in_data_dir(cli.data_dir)
    assert store.get(profile.hash) == profile
    first_me = ledger.member(mes[0])
    assert set(first_me.roles) == {Role.ME, Role.AUDITOR}
    assert first_me.metadata == Profile(name="ME 00", kind=ProfileKind.ME).hash
    nonce = w3.eth.get_transaction_count(cli.address("admin"))

    again = cli.run("member", "import", str(file), "--json")

    assert {r["outcome"] for r in json.loads(again.stdout)} == {"on chain already"}
    assert w3.eth.get_transaction_count(cli.address("admin")) == nonce


def test_a_changed_profile_updates_the_metadata_only(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    cli = _deployed(cli)
    me = Account.create().address
    file = cli.data_dir / "members.csv"
    file.write_text(HEADER + f"{me},me,me,Old name,\n", encoding="utf-8")
    cli.run("member", "import", str(file))
    file.write_text(HEADER + f"{me},me,me,New name,\n", encoding="utf-8")

    result = cli.run("member", "import", str(file), "--json")

    (row,) = json.loads(result.stdout)
    assert (row["action"], row["outcome"]) == ("set metadata", "mined")
    expected = Profile(name="New name", kind=ProfileKind.ME).hash
    assert cli.ledger(w3, artifacts).member(me).metadata == expected


def test_bad_rows_are_all_named_and_nothing_is_sent(cli: Cli, w3: Web3) -> None:
    cli = _deployed(cli)
    good = Account.create().address
    file = cli.data_dir / "members.csv"
    file.write_text(
        HEADER
        + f"{good},me,me,Fine,\n"
        + "0x1234,me,me,Short address,\n"
        + f"{good},king,,,\n"
        + "nowhere.json,partner,,,\n"
        + f"{good},me,,,\n"
        + f"{Account.create().address},partner,robot,Robo,\n",
        encoding="utf-8",
    )
    nonce = w3.eth.get_transaction_count(cli.address("admin"))

    result = cli.run("member", "import", str(file), code=2)

    assert "5 row(s) to fix before anything is sent" in result.stderr
    for line in ("line 3:", "line 4: role 'king'", "line 5: 'nowhere.json'", "line 6:", "line 7:"):
        assert line in result.stderr
    assert "repeats line 2" in result.stderr
    assert "kind 'robot'" in result.stderr
    assert w3.eth.get_transaction_count(cli.address("admin")) == nonce


def test_a_header_that_is_not_the_import_format_is_refused(cli: Cli) -> None:
    cli = _deployed(cli)
    file = cli.data_dir / "members.csv"
    file.write_text("address,name\n0x00,x\n", encoding="utf-8")

    result = cli.run("member", "import", str(file), code=2)

    assert "it must start with account,role" in result.stderr


def test_a_row_the_registry_refuses_fails_alone_and_the_rest_land(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    """An operator cannot grant the operator role (the admin's): that row is refused with
    the contract's error, the others are registered, and the exit code is 1."""
    cli = _deployed(cli)
    cli.run("wallet", "new", "ops")
    cli.run("member", "add", "ops", "--role", "operator")
    ok, refused = Account.create().address, Account.create().address
    file = cli.data_dir / "members.csv"
    file.write_text(HEADER + f"{ok},me,,,\n{refused},operator,,,\n", encoding="utf-8")

    result = cli.run("member", "import", str(file), "--wallet", "ops", "--json", code=1)

    rows = json.loads(result.stdout)
    assert [r["outcome"] for r in rows] == ["mined", "refused"]
    assert "Registry" in rows[1]["error"]
    assert "run the same command again" in result.stderr
    ledger = cli.ledger(w3, artifacts)
    assert ledger.member(ok).roles == (Role.ME,)
    assert not ledger.registry.has_role(refused, Role.OPERATOR)
