"""A version signed as a draft, then proposed and activated in one transaction:
`rdh shares draft`, `sign-draft` and `propose-signed`, and their refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from typer.testing import Result

from rdh_chain.agreements import typed_data_digest
from rdh_chain.contracts import EmcClient
from rdh_chain.types import VersionStatus
from tests.cli.conftest import CliWorld
from tests.cli.test_agreements import PARTIES, VERSION_2, emc, ledger, propose

__all__ = ["emc", "ledger"]  # test_agreements' fixtures

ERROR = 2  # the exit code of input to correct


def draft(world: CliWorld, folder: Path, *options: str) -> Path:
    """VERSION_2 drafted as the next version, in a file of ``folder``."""
    out = folder / "draft.json"
    world.cli.run("shares", "draft", world.emc, *VERSION_2, "--out", str(out), *options)
    return out


def sign_draft(world: CliWorld, draft_file: Path, wallet: str) -> Path:
    out = draft_file.parent / f"{wallet}.sig.json"
    world.cli.run("shares", "sign-draft", str(draft_file), "--wallet", wallet, "--out", str(out))
    return out


def propose_signed(
    world: CliWorld, draft_file: Path, signatures: list[str], *, code: int = 0
) -> Result:
    """``rdh shares propose-signed`` of ``draft_file`` as the owner."""
    return world.cli.run(
        "shares",
        "propose-signed",
        world.emc,
        str(draft_file),
        *signatures,
        "--wallet",
        "owner",
        code=code,
    )


def test_a_signed_draft_is_proposed_and_activated_in_one_transaction(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    draft_file = draft(world, tmp_path, "--document", "0x" + "d1" * 32)
    typed = json.loads(draft_file.read_text())
    assert typed["message"]["versionId"] == 2
    assert typed["message"]["nonce"] == 1
    files = [str(sign_draft(world, draft_file, w)) for w in PARTIES]

    shown = propose_signed(world, draft_file, files)

    version = emc.version(2)
    assert version.status is VersionStatus.ACTIVE
    assert emc.active_version_id() == 2
    # One transaction did both: the proposal's block holds only it.
    block = emc.w3.eth.get_block("latest")
    assert version.proposed_block == block["number"]
    assert len(block["transactions"]) == 1
    assert shown.stdout.splitlines()[0].startswith(
        f"proposed and activated version 2 of {world.emc} from period {version.from_period}, "
        "signed by its 3 parties (tx 0x"
    )
    # The chain's typed data of version 2 is the draft the parties signed, as a wallet
    # would sign it from the file (eth_signTypedData_v4's JSON).
    on_chain = world.cli.run("shares", "typed-data", world.emc, "2").stdout
    assert json.loads(on_chain) == typed
    assert typed_data_digest(emc.typed_data(2)) == emc.version_digest(2)


def test_a_draft_signed_in_another_wallet_counts(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    draft_file = draft(world, tmp_path)
    typed = json.loads(draft_file.read_text())
    files = []
    keystores = world.cli.data_dir / "keystores"
    password = (keystores / ".password").read_text().strip()
    for wallet in PARTIES:
        key = Account.decrypt(json.loads((keystores / f"{wallet}.json").read_text()), password)
        signed = Account.sign_message(encode_typed_data(full_message=typed), key)
        out = tmp_path / f"{wallet}.json"
        address = world.cli.address(wallet)
        out.write_text(json.dumps({"signer": address, "signature": signed.signature.hex()}))
        files.append(str(out))

    propose_signed(world, draft_file, files)

    assert emc.active_version_id() == 2


def test_propose_signed_refuses_a_stale_draft_before_sending(
    world: CliWorld, emc: EmcClient, tmp_path: Path
) -> None:
    draft_file = draft(world, tmp_path)
    files = [str(sign_draft(world, draft_file, w)) for w in PARTIES]
    propose(world)  # version 2 is taken
    blocks = emc.w3.eth.block_number

    shown = propose_signed(world, draft_file, files, code=ERROR)

    assert "the draft of version 2 (nonce 1) is stale: the next version is 3" in shown.stderr
    assert emc.w3.eth.block_number == blocks
    assert emc.version_count() == 2


def test_propose_signed_names_who_has_not_signed(world: CliWorld, tmp_path: Path) -> None:
    draft_file = draft(world, tmp_path)
    files = [str(sign_draft(world, draft_file, w)) for w in ("chef", "owner")]

    shown = propose_signed(world, draft_file, files, code=ERROR)

    me2 = world.cli.address("me2")
    assert f"1 has not signed: me2 ({me2})" in shown.stderr
    assert f"rdh shares sign-draft {draft_file} --wallet NAME --out FILE" in shown.stderr


def test_sign_draft_refuses_a_wallet_that_is_not_a_party(world: CliWorld, tmp_path: Path) -> None:
    draft_file = draft(world, tmp_path)
    shown = world.cli.run(
        "shares", "sign-draft", str(draft_file), "--wallet", "treasury", code=ERROR
    )
    assert "is not a party of the draft" in shown.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.update(primaryType="Report"), "its types are not a share version's"),
        (lambda t: t["domain"].update(name="other"), "its domain is not an EMC's"),
        (lambda t: t["message"].update(documentHash="0x12"), "documentHash is not 32 bytes"),
        (lambda t: t["message"]["entries"][0].update(shareClass=7), "7 is not a valid ShareClass"),
        (lambda t: t["message"].pop("nonce"), "KeyError: 'nonce'"),
    ],
)
def test_sign_draft_refuses_a_file_that_is_not_a_draft(
    world: CliWorld, tmp_path: Path, change: object, message: str
) -> None:
    draft_file = draft(world, tmp_path)
    typed = json.loads(draft_file.read_text())
    assert callable(change)
    change(typed)
    draft_file.write_text(json.dumps(typed))

    shown = world.cli.run("shares", "sign-draft", str(draft_file), "--wallet", "owner", code=ERROR)

    assert f"draft file {draft_file}: not the typed data of a share version" in shown.stderr
    assert message in shown.stderr


def test_propose_signed_refuses_a_draft_of_another_emc(world: CliWorld, tmp_path: Path) -> None:
    draft_file = draft(world, tmp_path)
    typed = json.loads(draft_file.read_text())
    typed["domain"]["verifyingContract"] = world.cli.address("treasury")
    draft_file.write_text(json.dumps(typed))

    # Refused before the signatures are read.
    shown = propose_signed(world, draft_file, [str(tmp_path / "unread.sig.json")], code=ERROR)

    assert f"is for EMC {world.cli.address('treasury')}" in shown.stderr
