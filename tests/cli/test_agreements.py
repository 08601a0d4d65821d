"""Signed share versions through the CLI: propose, typed data, sign, activate, and refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.agreements import typed_data_json
from rdh_chain.cli.output import when
from rdh_chain.contracts import EmcClient
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import VersionStatus
from tests.cli.conftest import Cli, CliWorld

# Version 2 renegotiates: the chef 5%, the owner 80%, me2's value-added 6%, the fund 9%.
VERSION_2 = ("chef:partner:500", "owner:operating:8000", "me2:value-added:600", "dev-fund:900")
PARTIES = ("chef", "me2", "owner")
DAY = 24 * 3600


@pytest.fixture
def ledger(world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    return world.cli.ledger(w3, artifacts)


@pytest.fixture
def emc(world: CliWorld, ledger: Ledger) -> EmcClient:
    return ledger.emc(world.emc)


def propose(world: CliWorld, *options: str) -> int:
    """Propose VERSION_2 as the owner; its id."""
    shown = world.cli.run(
        "shares", "propose", world.emc, *VERSION_2, "--json", "--wallet", "owner", *options
    )
    return int(json.loads(shown.stdout)["version_id"])


def sign(world: CliWorld, version_id: int, wallet: str, folder: Path) -> Path:
    """``wallet``'s signature of ``version_id``, in a file of ``folder``."""
    out = folder / f"{wallet}.sig.json"
    world.cli.run(
        "shares", "sign", world.emc, str(version_id), "--wallet", wallet, "--out", str(out)
    )
    return out


def sorted_by_address(cli: Cli, names: tuple[str, ...]) -> list[str]:
    return sorted(names, key=lambda n: int(cli.address(n), 16))


def advance(w3: Web3, seconds: int) -> None:
    """Move the chain's clock (the test's snapshot undoes the blocks)."""
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


# -- propose ----------------------------------------------------------------------------


def test_shares_propose_prints_version_parties_nonce_and_deadline(
    world: CliWorld, emc: EmcClient, w3: Web3
) -> None:
    result = world.cli.run(
        "shares", "propose", world.emc, *VERSION_2, "--deadline-days", "7", "--wallet", "owner"
    )

    version = emc.version(2)
    proposed_block = w3.eth.get_block("latest")
    # Seven days from the chain's time when the command ran: the block before the proposal.
    before = w3.eth.get_block(proposed_block["number"] - 1)
    assert version.status is VersionStatus.PROPOSED
    assert version.deadline == int(before["timestamp"]) + 7 * DAY
    assert (version.nonce, version.party_count) == (1, 3)
    lines = result.stdout.splitlines()
    tx_hash = proposed_block["transactions"][0]
    assert isinstance(tx_hash, bytes)
    assert lines[0] == f"proposed version 2 of {world.emc} (tx 0x{tx_hash.hex()})"
    assert lines[1:4] == [
        "nonce     1 (void once another version is activated)",
        f"deadline  {when(version.deadline)}",
        "parties   3 must sign",
    ]
    rows = [line.split() for line in lines[6:]]
    assert rows == [[world.cli.address(n), n] for n in sorted_by_address(world.cli, PARTIES)]
    assert result.stderr == (
        f"next: every party signs, with `rdh shares sign {world.emc} 2 --wallet NAME "
        f"--out NAME.sig.json` or in its own wallet from `rdh shares typed-data {world.emc} 2`; "
        f"then anyone submits the files with `rdh shares activate {world.emc} 2 FILE...`.\n"
    )
    assert emc.active_version_id() == 1


def test_shares_propose_json_takes_deadline_as_iso_time(world: CliWorld, emc: EmcClient) -> None:
    deadline = int(datetime(2100, 1, 1, 8, tzinfo=UTC).timestamp())

    shown = world.cli.run(
        "shares",
        "propose",
        world.emc,
        *VERSION_2,
        "--deadline",
        "2100-01-01T16:00:00+08:00",
        "--json",
        "--wallet",
        "owner",
    )

    data = json.loads(shown.stdout)
    assert data == {
        "emc": world.emc,
        "version_id": 2,
        "tx_hash": data["tx_hash"],
        "nonce": 1,
        "deadline": "2100-01-01T08:00:00+00:00",
        "parties": [
            {"account": world.cli.address(n), "wallet": n}
            for n in sorted_by_address(world.cli, PARTIES)
        ],
    }
    assert emc.version(2).deadline == deadline


def test_shares_propose_takes_naive_iso_time_as_utc(world: CliWorld, emc: EmcClient) -> None:
    propose(world, "--deadline", "2100-01-01T08:00:00")

    assert emc.version(2).deadline == int(datetime(2100, 1, 1, 8, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ("--deadline-days", "3", "--deadline", "2100-01-01"),
            "error: Pass either --deadline-days or --deadline, not both.\n",
        ),
        (
            ("--deadline", "next week"),
            "error: --deadline 'next week' is not an ISO 8601 time, "
            "e.g. 2020-08-31T23:59:59+08:00.\n",
        ),
        (
            ("--deadline", "2000-01-01T00:00:00Z"),
            "error: --deadline '2000-01-01T00:00:00Z' is not after the chain's time (",
        ),
        (
            ("--deadline-days", "0"),
            "Invalid value for '--deadline-days'",
        ),
    ],
)
def test_shares_propose_exits_2_when_deadline_invalid(
    world: CliWorld, emc: EmcClient, options: tuple[str, ...], message: str
) -> None:
    result = world.cli.run(
        "shares", "propose", world.emc, *VERSION_2, *options, "--wallet", "owner", code=2
    )

    assert message in result.stderr
    assert emc.version_count() == 1


def test_shares_propose_exits_1_when_wallet_not_owner(world: CliWorld, emc: EmcClient) -> None:
    result = world.cli.run("shares", "propose", world.emc, *VERSION_2, "--wallet", "chef", code=1)

    assert result.stderr == (
        f"error: EMC.proposeVersion reverted: EmcNotOwner(caller={world.cli.address('chef')}, "
        f"owner={world.cli.address('owner')}). Only the EMC's owner may do this; "
        "sign with the owner's wallet.\n"
    )
    assert emc.version_count() == 1


# -- typed data -------------------------------------------------------------------------


def test_shares_typed_data_is_the_sdks_and_hashes_to_the_contract_digest(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    version_id = propose(world, "--document", "0x" + "d0" * 32)

    data = json.loads(world.cli.run("shares", "typed-data", world.emc, "2").stdout)

    assert data == typed_data_json(emc.typed_data(version_id))
    assert data["domain"] == {
        "name": "rdh-chain EMC",
        "version": "1",
        "chainId": 31337,
        "verifyingContract": world.emc,
    }
    assert data["message"]["documentHash"] == "0x" + "d0" * 32
    # The digest eth_account signs for the JSON (EIP-191 version 0x01: domain, then message).
    signable = encode_typed_data(full_message=data)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert digest == emc.version_digest(version_id)

    out = tmp_path / "v2.json"
    written = world.cli.run("shares", "typed-data", world.emc, "2", "--out", str(out))
    assert written.stdout == ""
    assert written.stderr == f"typed data of version 2 written to {out}\n"
    assert json.loads(out.read_text()) == data


def test_shares_typed_data_warns_when_version_already_active(world: CliWorld) -> None:
    result = world.cli.run("shares", "typed-data", world.emc, "1")

    assert json.loads(result.stdout)["message"]["versionId"] == 1
    assert result.stderr.startswith("warning: version 1 is active, not proposed: ")


def test_shares_typed_data_exits_2_when_version_unknown(world: CliWorld) -> None:
    result = world.cli.run("shares", "typed-data", world.emc, "9", code=2)

    assert result.stderr.startswith("error: EMC.version reverted: EmcUnknownVersion(versionId=9).")
    assert result.stdout == ""


# -- sign -------------------------------------------------------------------------------


def test_shares_sign_prints_signature_that_recovers_to_the_party(
    world: CliWorld, emc: EmcClient
) -> None:
    version_id = propose(world)

    result = world.cli.run("shares", "sign", world.emc, "2", "--wallet", "chef")

    data = json.loads(result.stdout)
    assert set(data) == {"signer", "signature"}
    assert data["signer"] == world.cli.address("chef")
    typed = encode_typed_data(full_message=typed_data_json(emc.typed_data(version_id)))
    assert Account.recover_message(typed, signature=data["signature"]) == data["signer"]
    assert result.stderr == (
        f"then submit every party's signature: `rdh shares activate {world.emc} 2 FILE...`\n"
    )


def test_shares_sign_exits_2_naming_parties_when_wallet_not_a_party(
    world: CliWorld, tmp_path: Path
) -> None:
    propose(world)
    out = tmp_path / "treasury.sig.json"

    result = world.cli.run(
        "shares", "sign", world.emc, "2", "--wallet", "treasury", "--out", str(out), code=2
    )

    parties = ", ".join(
        f"{n} ({world.cli.address(n)})" for n in sorted_by_address(world.cli, PARTIES)
    )
    assert result.stderr == (
        f"error: treasury ({world.cli.address('treasury')}) is not a party of version 2 of "
        f"{world.emc}, so its signature would not count; the parties are: {parties}.\n"
    )
    assert not out.exists()


def test_shares_sign_exits_2_when_version_already_active(world: CliWorld) -> None:
    result = world.cli.run("shares", "sign", world.emc, "1", "--wallet", "chef", code=2)

    assert result.stderr == (
        "error: version 1 is active, not proposed: there is nothing left to sign; "
        "propose a new version with `rdh shares propose`.\n"
    )


# -- activate ---------------------------------------------------------------------------


def test_shares_activate_with_every_signature_from_any_wallet(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    version_id = propose(world)
    files = [sign(world, version_id, name, tmp_path) for name in PARTIES]

    # The treasury is no party: anyone may submit the collected signatures.
    result = world.cli.run(
        "shares", "activate", world.emc, "2", *map(str, files), "--wallet", "treasury"
    )

    assert result.stdout.startswith("activated version 2 from period 1, signed by 3 parties (tx ")
    assert emc.active_version_id() == 2
    assert emc.version(1).status is VersionStatus.SUPERSEDED
    shown = json.loads(world.cli.run("shares", "show", world.emc, "--json").stdout)["version"]
    signers = [
        {"account": world.cli.address(n), "wallet": n}
        for n in sorted_by_address(world.cli, PARTIES)
    ]
    assert shown["signers"] == signers
    assert shown["parties"] == signers


def test_shares_activate_reads_a_file_holding_a_list_of_signatures(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    version_id = propose(world)
    signatures = [json.loads(sign(world, version_id, n, tmp_path).read_text()) for n in PARTIES]
    bundle = tmp_path / "all.json"
    bundle.write_text(json.dumps(signatures))

    world.cli.run("shares", "activate", world.emc, "2", str(bundle), "--wallet", "chef")

    assert emc.active_version_id() == 2


def test_shares_activate_exits_2_naming_who_has_not_signed(
    world: CliWorld, emc: EmcClient, w3: Web3, tmp_path: Path
) -> None:
    version_id = propose(world)
    files = [sign(world, version_id, name, tmp_path) for name in ("owner", "me2")]
    block = w3.eth.block_number

    result = world.cli.run(
        "shares", "activate", world.emc, "2", *map(str, files), "--wallet", "owner", code=2
    )

    assert result.stderr == (
        "error: version 2 needs a signature from each of its 3 parties; 1 has not signed: "
        f"chef ({world.cli.address('chef')}). Each signs with `rdh shares sign {world.emc} 2 "
        "--wallet NAME --out FILE` (or signs the JSON of `rdh shares typed-data` in its own "
        "wallet); then run this again with every file.\n"
    )
    assert w3.eth.block_number == block
    assert (emc.active_version_id(), emc.version(2).status) == (1, VersionStatus.PROPOSED)


def test_shares_activate_exits_2_when_a_signature_does_not_verify(
    world: CliWorld, emc: EmcClient, w3: Web3, tmp_path: Path
) -> None:
    version_id = propose(world)
    files = [sign(world, version_id, name, tmp_path) for name in ("owner", "me2")]
    # me2's signature passed off as the chef's.
    forged = tmp_path / "forged.json"
    me2 = json.loads(files[1].read_text())
    forged.write_text(
        json.dumps({"signer": world.cli.address("chef"), **{"signature": me2["signature"]}})
    )
    block = w3.eth.block_number

    result = world.cli.run(
        "shares",
        "activate",
        world.emc,
        "2",
        *map(str, [*files, forged]),
        "--wallet",
        "owner",
        code=2,
    )

    # Not recovering to the chef, it went as the chef's contract signature (a key has no code).
    index = emc.parties(version_id).index(world.cli.address("chef"))
    assert result.stderr == (
        "error: EMC.activateVersion reverted: EmcInvalidSignature(versionId=2, "
        f"index={index}, signer={world.cli.address('chef')}). Signature `index` (in signer "
        "order) does not verify for this version, EMC and chain: it recovers to nobody "
        "(signer zero: malformed, or high-s), or `signer` refuses it as a contract wallet "
        "(ERC-1271); the SDK sends a signature that does not recover to its party that way, "
        "and a plain key has no code to accept it. Have the party sign again (`rdh shares "
        "sign`, or the typed data of `rdh shares typed-data`).\n"
    )
    assert w3.eth.block_number == block
    assert emc.active_version_id() == 1


def test_shares_activate_exits_2_when_a_file_is_signed_by_a_non_party(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    version_id = propose(world)
    files = [sign(world, version_id, name, tmp_path) for name in PARTIES]
    stranger = tmp_path / "stranger.json"
    stranger.write_text(
        json.dumps({"signer": world.cli.address("treasury"), "signature": "0x" + "11" * 65})
    )

    result = world.cli.run(
        "shares", "activate", world.emc, "2", *map(str, [*files, stranger]), code=2
    )

    assert result.stderr.startswith(
        f"error: {stranger} holds a signature by treasury ({world.cli.address('treasury')}), "
        "who is not a party of version 2; drop it. The parties are: "
    )
    assert emc.active_version_id() == 1


def test_shares_activate_counts_a_repeated_file_once_but_refuses_two_signatures_by_one_party(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    version_id = propose(world)
    files = [str(sign(world, version_id, name, tmp_path)) for name in PARTIES]
    other = tmp_path / "chef-again.json"
    other.write_text(
        json.dumps({"signer": world.cli.address("chef"), "signature": "0x" + "22" * 65})
    )

    result = world.cli.run(
        "shares", "activate", world.emc, "2", *files, str(other), "--wallet", "me2", code=2
    )

    assert result.stderr == (
        f"error: two different signatures by chef ({world.cli.address('chef')}); "
        f"keep one ({other} holds the second).\n"
    )
    assert emc.active_version_id() == 1
    world.cli.run("shares", "activate", world.emc, "2", *files, files[0], "--wallet", "me2")
    assert emc.active_version_id() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"signer": "0x12", "signature": "0x00"}', "signer '0x12' is not an Ethereum address"),
        ('{"signature": "0x00"}', 'expected {"signer": "0x...", "signature": "0x..."}'),
        ('[{"signer": "0x' + "ab" * 20 + '", "signature": "zz"}]', "signature 'zz' is not hex."),
    ],
)
def test_shares_activate_exits_2_when_signature_file_malformed(
    world: CliWorld, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)

    result = world.cli.run("shares", "activate", world.emc, "1", str(bad), code=2)

    assert result.stderr.startswith(f"error: signature file {bad}")
    assert message in result.stderr


def test_shares_activate_exits_1_when_version_expired(
    world: CliWorld, emc: EmcClient, w3: Web3, tmp_path: Path
) -> None:
    version_id = propose(world, "--deadline-days", "1")
    files = [sign(world, version_id, name, tmp_path) for name in PARTIES]
    deadline = emc.version(version_id).deadline
    advance(w3, DAY + 60)
    block = w3.eth.block_number

    result = world.cli.run(
        "shares", "activate", world.emc, "2", *map(str, files), "--wallet", "me2", code=1
    )

    assert result.stderr.startswith(
        "error: EMC.activateVersion reverted: "
        f"EmcDeadlinePassed(deadline={when(deadline)}, nowTime="
    )
    assert result.stderr.endswith(
        "The signing deadline has passed (or, when proposing, is not in the future): propose "
        "the version again with a later deadline (`rdh shares propose --deadline-days N`) and "
        "collect new signatures.\n"
    )
    assert w3.eth.block_number == block
    assert (emc.active_version_id(), emc.version(2).status) == (1, VersionStatus.PROPOSED)

    # Late signers are told so, even while someone still has to sign.
    refused = world.cli.run("shares", "sign", world.emc, "2", "--wallet", "chef", code=2)
    assert refused.stderr == (
        f"error: version 2 expired at {when(deadline)}; propose it again with a later "
        "deadline (`rdh shares propose --deadline-days N`).\n"
    )
    partial = world.cli.run(
        "shares", "activate", world.emc, "2", str(files[0]), "--wallet", "me2", code=1
    )
    assert "EmcDeadlinePassed" in partial.stderr


def test_shares_activate_exits_1_when_another_version_was_activated_since(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    second, third = propose(world), propose(world)
    (tmp_path / "2").mkdir()
    (tmp_path / "3").mkdir()
    for name in PARTIES:
        sign(world, second, name, tmp_path / "2")
        sign(world, third, name, tmp_path / "3")
    world.cli.run(
        "shares", "activate", world.emc, "2", *map(str, (tmp_path / "2").iterdir()), "-w", "chef"
    )

    result = world.cli.run(
        "shares",
        "activate",
        world.emc,
        "3",
        *map(str, (tmp_path / "3").iterdir()),
        "--wallet",
        "chef",
        code=1,
    )

    assert result.stderr == (
        "error: EMC.activateVersion reverted: EmcVersionStale(versionId=3, nonce=1, current=2). "
        "Another version was activated after this one was proposed, so its signatures are "
        "void: propose it again (`rdh shares propose`) and collect new signatures.\n"
    )
    assert (emc.active_version_id(), emc.version(3).status) == (2, VersionStatus.PROPOSED)
    stale = world.cli.run("shares", "sign", world.emc, "3", "--wallet", "chef", code=2)
    assert stale.stderr.startswith("error: version 3 is stale: it was proposed after 1 ")


def test_shares_activate_exits_2_without_wallet(world: CliWorld, tmp_path: Path) -> None:
    version_id = propose(world)
    files = [sign(world, version_id, name, tmp_path) for name in PARTIES]

    result = world.cli.run("shares", "activate", world.emc, "2", *map(str, files), code=2)

    assert result.stderr.startswith(
        "error: This command signs a transaction: choose the wallet with --wallet NAME"
    )


# -- set: the one-step path and its fallback ----------------------------------------------


def test_shares_set_proposes_and_prints_next_steps_when_a_party_has_no_local_wallet(
    world: CliWorld, emc: EmcClient
) -> None:
    outsider = Account.create().address
    world.cli.run("member", "add", outsider, "--role", "partner")

    result = world.cli.run(
        "shares",
        "set",
        world.emc,
        f"{outsider}:partner:500",
        # The active version's members stay: none was given notice.
        "chef:partner:600",
        "owner:operating:7400",
        "me2:value-added:600",
        "dev-fund:900",
        "--wallet",
        "owner",
    )

    assert result.stdout.startswith(f"proposed version 2 of {world.emc} (tx 0x")
    assert "parties   4 must sign" in result.stdout
    assert f"{outsider}  -" in result.stdout
    assert result.stderr.startswith(
        f"not activated: 1 party has no wallet in {world.cli.data_dir / 'keystores'}: "
        f"{outsider}.\nnext: every party signs"
    )
    assert (emc.active_version_id(), emc.version(2).status) == (1, VersionStatus.PROPOSED)


def test_shares_set_signs_with_every_local_party_and_activates(
    world: CliWorld, emc: EmcClient
) -> None:
    result = world.cli.run("shares", "set", world.emc, *VERSION_2, "--wallet", "owner")

    names = ", ".join(sorted_by_address(world.cli, PARTIES))
    assert result.stdout.startswith(
        f"proposed version 2 of {world.emc}, signed by its 3 parties: {names}\n"
        "activated version 2 from period 1 (tx 0x"
    )
    assert emc.active_version_id() == 2
    shown = world.cli.run("shares", "show", world.emc).stdout
    assert "nonce        1" in shown
    assert "parties      3" in shown
    signed = [line for line in shown.splitlines() if line.startswith(("signed by", "   "))]
    assert [line.removeprefix("signed by").strip() for line in signed] == [
        f"{n} ({world.cli.address(n)})" for n in sorted_by_address(world.cli, PARTIES)
    ]


# -- emc create: partner bounds ----------------------------------------------------------


def _create(cli: Cli, *bounds: str, code: int = 0) -> str:
    return cli.run(
        "emc",
        "create",
        "--owner",
        "owner",
        "--target-users",
        "20000",
        "--target-revenue",
        "10,000,000",
        "--sharing-space",
        "600,000",
        "--loss-threshold",
        "100,000",
        "--reason",
        "terms agreed with the platform board",
        *bounds,
        code=code,
    ).stdout.strip()


def test_emc_create_sets_partner_bounds_and_propose_enforces_them(
    world: CliWorld, ledger: Ledger
) -> None:
    emc = _create(world.cli, "--partner-min-bps", "200", "--partner-max-bps", "600")

    terms = json.loads(world.cli.run("emc", "show", emc, "--json").stdout)["terms"]
    assert (terms["partner_min_bps"], terms["partner_max_bps"]) == (200, 600)
    assert "partner share   2.00% to 6.00% of profit" in world.cli.run("emc", "show", emc).stdout

    result = world.cli.run(
        "shares",
        "propose",
        emc,
        "chef:partner:700",
        "owner:operating:9300",
        "--wallet",
        "owner",
        code=2,
    )
    assert result.stderr == (
        "error: EMC.proposeVersion reverted: EmcShareOutOfBounds("
        f"account={world.cli.address('chef')}, class=partner, bps=700 bps (7.00%), "
        "min=200 bps (2.00%), max=600 bps (6.00%)). "
        "A partner's share must lie within the EMC's partner bounds [min, max] "
        "(`rdh emc show`); change the partner's basis points.\n"
    )
    assert ledger.emc(Web3.to_checksum_address(emc)).version_count() == 0


def test_emc_create_defaults_partner_bounds_to_any_share(world: CliWorld) -> None:
    terms = json.loads(world.cli.run("emc", "show", world.emc, "--json").stdout)["terms"]

    assert (terms["partner_min_bps"], terms["partner_max_bps"]) == (1, 10_000)


def test_emc_create_exits_2_when_partner_bounds_inverted(world: CliWorld, ledger: Ledger) -> None:
    result = _create(world.cli, "--partner-min-bps", "600", "--partner-max-bps", "200", code=2)

    assert result == ""
    assert ledger.factory.emc_count() == 1


def test_emc_create_exits_2_naming_the_error_when_partner_bounds_zero(world: CliWorld) -> None:
    result = world.cli.run(
        "emc",
        "create",
        "--owner",
        "owner",
        "--target-users",
        "1",
        "--target-revenue",
        "1",
        "--sharing-space",
        "1",
        "--loss-threshold",
        "100,000",
        "--reason",
        "terms agreed with the platform board",
        "--partner-min-bps",
        "0",
        code=2,
    )

    assert result.stderr == (
        "error: EMCFactory.createEmcWithTerms reverted: "
        "FactoryInvalidPartnerBounds(min=0 bps (0.00%), max=10,000 bps (100.00%)). "
        "Partner bounds need 0 < min <= max <= 10,000 bps; fix --partner-min-bps and "
        "--partner-max-bps (Smart Cooking uses 200 and 600).\n"
    )
