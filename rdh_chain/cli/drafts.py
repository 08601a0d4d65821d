"""`rdh shares draft`, `sign-draft` and `propose-signed`: a version every party signs before it
is proposed, then proposed and activated in one transaction (``proposeAndActivateVersion``).

The draft is the typed data of the id the version will get and of the current nonce: once
another version is proposed or activated, it is stale, and `propose-signed` says so before
sending anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rdh_chain.agreements import (
    draft_from_json,
    sign_version,
    typed_data_json,
    typed_data_parties,
)
from rdh_chain.cli.context import (
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    optional_bytes32,
)
from rdh_chain.cli.invited import (
    FromActiveOption,
    FromRoundOption,
    require_entries,
    version_entries,
)
from rdh_chain.cli.output import echo, note, when
from rdh_chain.cli.shares import (
    DeadlineDaysOption,
    DeadlineOption,
    DocumentOption,
    EmcArgument,
    EntriesArgument,
    OutOption,
    SignaturesArgument,
    named,
    named_list,
    one_per_party,
    parse_deadline,
    parse_entry,
    print_entries,
    read_signatures,
    signature_json,
    write_json,
)
from rdh_chain.exceptions import InvalidInputError

DraftArgument = Annotated[
    Path,
    typer.Argument(
        metavar="DRAFT_FILE", dir_okay=False, help="The draft's typed data (`rdh shares draft`)."
    ),
]


def read_draft(path: Path) -> dict[str, Any]:
    """The draft's typed data from ``path``, checked to be a share version's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"cannot read draft file {path}: {exc.strerror}.") from exc
    except ValueError as exc:
        raise InvalidInputError(f"draft file {path} is not JSON ({exc}).") from exc
    try:
        return draft_from_json(data)
    except InvalidInputError as exc:
        raise InvalidInputError(f"draft file {path}: {exc}") from exc


def draft(
    ctx: typer.Context,
    emc: EmcArgument,
    entries: EntriesArgument = None,
    from_round: FromRoundOption = None,
    from_active: FromActiveOption = False,
    document: DocumentOption = None,
    deadline_days: DeadlineDaysOption = None,
    deadline: DeadlineOption = None,
    out: OutOption = None,
) -> None:
    """The typed data of a version not yet proposed, for every party to sign first; then
    `rdh shares propose-signed` proposes and activates it in one transaction."""
    state = get_state(ctx)
    by_hand = [parse_entry(state, e) for e in entries or []]
    require_entries(by_hand, from_round, from_active)
    document_hash = optional_bytes32(document, "--document")
    client = state.emc(emc)
    when_ = parse_deadline(client, deadline_days, deadline)
    parsed = version_entries(state, client, by_hand, from_round, from_active)
    typed = client.draft_typed_data(parsed, document_hash, deadline=when_)
    version_id = typed["message"]["versionId"]
    write_json(typed_data_json(typed), out, f"draft of version {version_id}")
    file = out or "DRAFT_FILE"
    note(
        f"next: every party signs it, with `rdh shares sign-draft {file} --wallet NAME --out "
        "NAME.sig.json` or in its own wallet (eth_signTypedData_v4); then the owner sends "
        f"`rdh shares propose-signed {client.address} {file} FILE...` before anyone proposes "
        f"or activates another version of this EMC, and by {when(typed['message']['deadline'])}."
    )


def sign_draft(
    ctx: typer.Context,
    draft_file: DraftArgument,
    out: OutOption = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Sign a draft (`rdh shares draft`) with a local wallet (a party); prints
    {"signer", "signature"}."""
    state = get_state(ctx)
    typed = read_draft(draft_file)
    account = state.wallet(WalletChoice(wallet, keystore, password_file)).account
    parties = typed_data_parties(typed)
    labels = state.labels()
    if account.address not in parties:
        raise InvalidInputError(
            f"{named(account.address, labels)} is not a party of the draft in {draft_file}, so "
            f"its signature would not count; the parties are: {named_list(parties, labels)}."
        )
    signature = sign_version(account, typed)
    write_json(signature_json(signature), out, f"signature of {named(account.address, labels)}")


def propose_signed(
    ctx: typer.Context,
    emc: EmcArgument,
    draft_file: DraftArgument,
    signature_files: SignaturesArgument,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Propose and activate, in one transaction, a draft every party signed (the owner sends it)."""
    state = get_state(ctx)
    typed = read_draft(draft_file)
    reader = state.emc(emc)
    domain = typed["domain"]
    if (domain["verifyingContract"], domain["chainId"]) != (reader.address, reader.w3.eth.chain_id):
        raise InvalidInputError(
            f"the draft in {draft_file} is for EMC {domain['verifyingContract']} on chain "
            f"{domain['chainId']}, not {reader.address} on chain {reader.w3.eth.chain_id}."
        )
    parties = typed_data_parties(typed)
    labels = state.labels()
    by_signer = one_per_party(read_signatures(signature_files), parties, labels, "the draft")
    missing = [p for p in parties if p not in by_signer]
    if missing:
        raise InvalidInputError(
            f"the draft needs a signature from each of its {len(parties)} parties; "
            f"{len(missing)} {'has' if len(missing) == 1 else 'have'} not signed: "
            f"{named_list(missing, labels)}. Each signs with `rdh shares sign-draft "
            f"{draft_file} --wallet NAME --out FILE`; then run this again with every file."
        )
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    version_id, result = client.propose_and_activate_version(typed, list(by_signer.values()))
    version = client.version(version_id)
    echo(
        f"proposed and activated version {version_id} of {client.address} from period "
        f"{version.from_period}, signed by its {len(parties)} "
        f"{'party' if len(parties) == 1 else 'parties'} (tx 0x{result.tx_hash.hex()})"
    )
    print_entries(client.version_entries(version_id), labels)
