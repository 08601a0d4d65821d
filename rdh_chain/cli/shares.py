"""``rdh shares``: an EMC's share versions, signed by every party they name.

The owner proposes a version (``propose``); each party signs its EIP-712 typed
data, either here from a local keystore (``sign``) or in any wallet from the JSON
of ``typed-data``; anyone submits the collected signatures (``activate``). When
every party's wallet is in the keystore folder, ``set`` does all of it at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress

from rdh_chain.agreements import sign_version, typed_data_json
from rdh_chain.cli.context import (
    CliState,
    JsonOption,
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
from rdh_chain.cli.output import (
    SHARE_CLASS_NAMES,
    bps_text,
    class_name,
    echo,
    echo_json,
    fields,
    hex32,
    note,
    percent,
    table,
    when,
    when_json,
)
from rdh_chain.cli.propose_batch import run_batch
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    PartySignature,
    ShareClass,
    ShareEntry,
    Version,
    VersionStatus,
)
from rdh_chain.validation import to_address, to_uint

shares_app = typer.Typer(
    help="Propose, sign, activate and read share versions.", no_args_is_help=True
)

_CLASSES_BY_NAME = {name: share_class for share_class, name in SHARE_CLASS_NAMES.items()}
_ENTRY_FORMAT = (
    "ADDRESS:CLASS:BPS with CLASS one of partner, operating, value-added, dev-fund "
    "(e.g. 0x1234…abcd:partner:600, chef:value-added:100, or dev-fund:900)"
)
_DAY = 24 * 3600
_UINT48_MAX = (1 << 48) - 1

EmcArgument = Annotated[str, typer.Argument(help="The EMC's address.")]
VersionArgument = Annotated[int, typer.Argument(metavar="VERSION", help="A version's id.")]
EntriesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help=f"Entries, each {_ENTRY_FORMAT}; optional with --from-round or --from-active."
    ),
]
DocumentOption = Annotated[
    str | None,
    typer.Option("--document", help="0x + 64 hex digits: hash of the agreement's document."),
]
DeadlineDaysOption = Annotated[
    int | None,
    typer.Option(
        "--deadline-days",
        min=1,
        help="Days the parties have to sign, from the latest block (default: 30).",
    ),
]
DeadlineOption = Annotated[
    str | None,
    typer.Option(
        "--deadline",
        help="Last moment to activate, ISO 8601 (e.g. 2020-08-31T23:59:59+08:00; "
        "UTC if no offset is given). Instead of --deadline-days.",
    ),
]
SignaturesArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="SIGNATURE_FILE",
        dir_okay=False,
        help='Files of `rdh shares sign`: {"signer": ..., "signature": ...} or a list.',
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", dir_okay=False, help="Write the JSON to FILE instead of stdout."),
]


# -- parsing -----------------------------------------------------------------------------


def parse_entry(state: CliState, text: str) -> ShareEntry:
    """``ADDRESS:CLASS:BPS`` (the address may be a wallet name), or ``dev-fund:BPS``."""
    parts = text.strip().split(":")
    if len(parts) == 2 and parts[0].strip().lower() == "dev-fund":
        account_text, class_text, bps_text_ = None, parts[0], parts[1]
    elif len(parts) == 3:
        account_text, class_text, bps_text_ = parts
    else:
        raise InvalidInputError(f"share entry {text!r} is not {_ENTRY_FORMAT}.")
    share_class = _CLASSES_BY_NAME.get(class_text.strip().lower().replace("_", "-"))
    if share_class is None:
        raise InvalidInputError(
            f"share entry {text!r}: unknown class {class_text!r}; expected {_ENTRY_FORMAT}."
        )
    try:
        bps = int(bps_text_.strip().replace(",", "").replace("_", ""))
    except ValueError as exc:
        raise InvalidInputError(
            f"share entry {text!r}: {bps_text_!r} is not a whole number of basis points "
            "(10,000 bps = 100%)."
        ) from exc
    to_uint(bps, f"share entry {text!r}: basis points", "uint16")
    account = ZERO_ADDRESS if account_text is None else state.account(account_text, "share entry")
    return ShareEntry(account, share_class, bps)


def chain_time(client: EmcClient) -> int:
    """The latest block's timestamp: the chain's idea of now."""
    return int(client.w3.eth.get_block("latest")["timestamp"])


def parse_deadline(client: EmcClient, days: int | None, at: str | None) -> int | None:
    """The signing deadline the options ask for (Unix time), or None for the SDK's default."""
    if days is not None and at is not None:
        raise InvalidInputError("Pass either --deadline-days or --deadline, not both.")
    if days is None and at is None:
        return None
    now = chain_time(client)
    if days is not None:
        deadline = now + days * _DAY
    else:
        assert at is not None
        try:
            moment = datetime.fromisoformat(at.strip())
        except ValueError as exc:
            raise InvalidInputError(
                f"--deadline {at!r} is not an ISO 8601 time, e.g. 2020-08-31T23:59:59+08:00."
            ) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        deadline = int(moment.timestamp())
        if deadline <= now:
            raise InvalidInputError(
                f"--deadline {at!r} is not after the chain's time ({when(now)}); give a later time."
            )
    if deadline > _UINT48_MAX:
        raise InvalidInputError(
            "the deadline is too far away: the contract keeps it in 48 bits of seconds since "
            "1970 (to the year 8,900,000 or so); choose a nearer one."
        )
    return deadline


def read_signatures(files: Sequence[Path]) -> list[tuple[PartySignature, Path]]:
    """Signatures from files holding ``{"signer": ..., "signature": "0x..."}`` or a list of them."""
    found: list[tuple[PartySignature, Path]] = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InvalidInputError(f"cannot read signature file {path}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise InvalidInputError(f"signature file {path} is not JSON ({exc}).") from exc
        items = data if isinstance(data, list) else [data]
        for item in items:
            found.append((_signature(item, path), path))
    return found


def _signature(item: Any, path: Path) -> PartySignature:
    expected = 'expected {"signer": "0x...", "signature": "0x..."} or a list of them'
    if not isinstance(item, dict) or not {"signer", "signature"} <= set(item):
        raise InvalidInputError(f"signature file {path}: {expected}.")
    signer, signature = item["signer"], item["signature"]
    if not isinstance(signer, str) or not isinstance(signature, str):
        raise InvalidInputError(f"signature file {path}: {expected}.")
    text = signature.strip().removeprefix("0x")
    try:
        raw = bytes.fromhex(text)
    except ValueError as exc:
        raise InvalidInputError(
            f"signature file {path}: signature {signature!r} is not hex."
        ) from exc
    if not raw:
        raise InvalidInputError(f"signature file {path}: the signature is empty.")
    return PartySignature(to_address(signer, f"signature file {path}: signer"), raw)


def one_per_party(
    collected: Sequence[tuple[PartySignature, Path]],
    parties: Sequence[ChecksumAddress],
    labels: Mapping[ChecksumAddress, str],
    what: str,
) -> dict[ChecksumAddress, PartySignature]:
    """The signatures read (``read_signatures``) by signer: a non-party's is refused, and so
    is a second, different one by the same party (the same one twice is kept once)."""
    by_signer: dict[ChecksumAddress, PartySignature] = {}
    for signature, path in collected:
        if signature.signer not in parties:
            raise InvalidInputError(
                f"{path} holds a signature by {named(signature.signer, labels)}, who is not a "
                f"party of {what}; drop it. The parties are: {named_list(parties, labels)}."
            )
        known = by_signer.setdefault(signature.signer, signature)
        if known.signature != signature.signature:
            raise InvalidInputError(
                f"two different signatures by {named(signature.signer, labels)}; "
                f"keep one ({path} holds the second)."
            )
    return by_signer


# -- output helpers ----------------------------------------------------------------------


def named(address: ChecksumAddress, labels: Mapping[ChecksumAddress, str]) -> str:
    """``chef (0x...)`` for a local wallet, else the address."""
    return f"{labels[address]} ({address})" if address in labels else address


def named_list(addresses: Sequence[ChecksumAddress], labels: Mapping[ChecksumAddress, str]) -> str:
    return ", ".join(named(a, labels) for a in addresses)


def signature_json(signature: PartySignature) -> dict[str, str]:
    return {"signer": signature.signer, "signature": "0x" + signature.signature.hex()}


def write_json(data: Any, out: Path | None, what: str) -> None:
    """``data`` to ``out`` (saying so on stderr), or to stdout."""
    if out is None:
        echo_json(data)
        return
    try:
        out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot write {out}: {exc.strerror}.") from exc
    note(f"{what} written to {out}")


# -- signing state -----------------------------------------------------------------------


def activation_count(client: EmcClient) -> int:
    """Versions activated so far: the nonce a version proposed now gets."""
    active = client.active_version_id()
    return client.version(active).epoch + 1 if active else 0


def signing_problem(client: EmcClient, version: Version) -> str | None:
    """Why signatures of ``version`` can no longer activate it, or None if they can."""
    if version.status is not VersionStatus.PROPOSED:
        return (
            f"version {version.id} is {version.status.name.lower()}, not proposed: "
            "there is nothing left to sign; propose a new version with `rdh shares propose`."
        )
    current = activation_count(client)
    if version.nonce != current:
        return (
            f"version {version.id} is stale: it was proposed after {version.nonce} "
            f"activation(s) and there have been {current} since, so its signatures are void; "
            "propose it again with `rdh shares propose`."
        )
    now = max(chain_time(client), int(time.time()))
    if now >= version.deadline:
        return (
            f"version {version.id} expired at {when(version.deadline)}; propose it again "
            "with a later deadline (`rdh shares propose --deadline-days N`)."
        )
    return None


def next_steps(client: EmcClient, version_id: int) -> str:
    emc = client.address
    return (
        f"next: every party signs, with `rdh shares sign {emc} {version_id} --wallet NAME "
        f"--out NAME.sig.json` or in its own wallet from `rdh shares typed-data {emc} "
        f"{version_id}`; then anyone submits the files with "
        f"`rdh shares activate {emc} {version_id} FILE...`."
    )


# -- commands ----------------------------------------------------------------------------


@shares_app.command("propose")
def propose(
    ctx: typer.Context,
    emc: Annotated[
        str | None, typer.Argument(help="The EMC's address (none with --batch).")
    ] = None,
    entries: EntriesArgument = None,
    from_round: FromRoundOption = None,
    from_active: FromActiveOption = False,
    document: DocumentOption = None,
    deadline_days: DeadlineDaysOption = None,
    deadline: DeadlineOption = None,
    as_json: JsonOption = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            exists=True,
            dir_okay=False,
            help="Propose a version in every EMC of a CSV file (emc,entries[,document,"
            "deadline]: one EMC a row); safe to run again.",
        ),
    ] = None,
) -> None:
    """Propose a share version (10,000 bps in all) as the owner; every party must then sign it.
    With --batch, a version in every EMC of a CSV file (a row whose version is proposed
    already, with the same entries, is skipped)."""
    state = get_state(ctx)
    if batch is not None:
        given = [emc, entries, from_round, document, deadline_days, deadline]
        if any(v is not None for v in given) or from_active:
            raise InvalidInputError(
                "--batch takes the EMCs, entries, documents and deadlines from the file: "
                "drop the EMC and the version's options."
            )
        ledger = state.signer(WalletChoice(wallet, keystore, password_file))
        run_batch(ledger, batch, lambda text: parse_entry(state, text), as_json)
        return
    if emc is None:
        raise InvalidInputError("Name the EMC and its entries, or give --batch FILE.")
    by_hand = [parse_entry(state, e) for e in entries or []]
    require_entries(by_hand, from_round, from_active)
    document_hash = optional_bytes32(document, "--document")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    when_ = parse_deadline(client, deadline_days, deadline)
    parsed = version_entries(state, client, by_hand, from_round, from_active)
    version_id, result = client.propose_version(parsed, document_hash, deadline=when_)
    report_proposal(state, client, version_id, result, as_json)
    note(next_steps(client, version_id))


def report_proposal(
    state: CliState, client: EmcClient, version_id: int, result: TxResult, as_json: bool
) -> None:
    version = client.version(version_id)
    parties = client.parties(version_id)
    labels = state.labels()
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "version_id": version_id,
                "tx_hash": "0x" + result.tx_hash.hex(),
                "nonce": version.nonce,
                "deadline": when_json(version.deadline),
                "parties": [{"account": p, "wallet": labels.get(p)} for p in parties],
            }
        )
        return
    echo(f"proposed version {version_id} of {client.address} (tx 0x{result.tx_hash.hex()})")
    fields(
        [
            ("nonce", f"{version.nonce} (void once another version is activated)"),
            ("deadline", when(version.deadline)),
            ("parties", f"{len(parties)} must sign"),
        ]
    )
    table(["PARTY", "WALLET"], [[p, labels.get(p, "-")] for p in parties])


@shares_app.command("typed-data")
def typed_data(
    ctx: typer.Context,
    emc: EmcArgument,
    version_id: VersionArgument,
    out: OutOption = None,
) -> None:
    """The EIP-712 typed data of a version (eth_signTypedData_v4 JSON) for any wallet to sign."""
    state = get_state(ctx)
    client = state.emc(emc)
    chosen = to_uint(version_id, "VERSION")
    data = typed_data_json(client.typed_data(chosen))
    write_json(data, out, f"typed data of version {chosen}")
    problem = signing_problem(client, client.version(chosen))
    if problem is not None:
        note(f"warning: {problem}")


@shares_app.command("parties")
def parties_command(ctx: typer.Context, emc: EmcArgument, version_id: VersionArgument) -> None:
    """The parties that must sign a version, one a line: the name of the party's local wallet,
    else its address (for a shell loop over `rdh shares sign`)."""
    state = get_state(ctx)
    client = state.emc(emc)
    chosen = to_uint(version_id, "VERSION")
    client.version(chosen)  # an unknown version is refused with its error
    labels = state.labels()
    for party in client.parties(chosen):
        echo(labels.get(party, party))


@shares_app.command("sign")
def sign(
    ctx: typer.Context,
    emc: EmcArgument,
    version_id: VersionArgument,
    out: OutOption = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Sign a proposed version with a local wallet (a party); prints {"signer", "signature"}."""
    state = get_state(ctx)
    client = state.emc(emc)
    chosen = to_uint(version_id, "VERSION")
    version = client.version(chosen)
    account = state.wallet(WalletChoice(wallet, keystore, password_file)).account
    parties = client.parties(chosen)
    labels = state.labels()
    if account.address not in parties:
        raise InvalidInputError(
            f"{named(account.address, labels)} is not a party of version {chosen} of "
            f"{client.address}, so its signature would not count; the parties are: "
            f"{named_list(parties, labels)}."
        )
    problem = signing_problem(client, version)
    if problem is not None:
        raise InvalidInputError(problem)
    signature = sign_version(account, client.typed_data(chosen))
    write_json(signature_json(signature), out, f"signature of {named(account.address, labels)}")
    note(
        f"then submit every party's signature: `rdh shares activate {client.address} "
        f"{chosen} FILE...`"
    )


@shares_app.command("activate")
def activate(
    ctx: typer.Context,
    emc: EmcArgument,
    version_id: VersionArgument,
    signature_files: SignaturesArgument,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Submit every party's signature of a version and activate it; any wallet may send it."""
    state = get_state(ctx)
    chosen = to_uint(version_id, "VERSION")
    collected = read_signatures(signature_files)
    reader = state.emc(emc)
    version = reader.version(chosen)
    parties = reader.parties(chosen)
    labels = state.labels()

    by_signer = one_per_party(collected, parties, labels, f"version {chosen}")
    missing = [p for p in parties if p not in by_signer]
    # A version that cannot be activated any more is refused by the contract, with its reason;
    # otherwise say who has still to sign before sending anything.
    if missing and signing_problem(reader, version) is None:
        raise InvalidInputError(
            f"version {chosen} needs a signature from each of its {len(parties)} parties; "
            f"{len(missing)} {'has' if len(missing) == 1 else 'have'} not signed: "
            f"{named_list(missing, labels)}. "
            f"Each signs with `rdh shares sign {reader.address} {chosen} --wallet NAME "
            "--out FILE` (or signs the JSON of `rdh shares typed-data` in its own wallet); "
            "then run this again with every file."
        )
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    result = client.activate_version(chosen, list(by_signer.values()))
    activated = client.version(chosen)
    echo(
        f"activated version {chosen} from period {activated.from_period}, signed by "
        f"{len(by_signer)} {'party' if len(by_signer) == 1 else 'parties'} "
        f"(tx 0x{result.tx_hash.hex()})"
    )


@shares_app.command("set")
def set_shares(
    ctx: typer.Context,
    emc: EmcArgument,
    entries: EntriesArgument = None,
    from_round: FromRoundOption = None,
    from_active: FromActiveOption = False,
    document: DocumentOption = None,
    deadline_days: DeadlineDaysOption = None,
    deadline: DeadlineOption = None,
    propose_only: Annotated[
        bool, typer.Option("--propose-only", help="Propose the version but do not activate it.")
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Propose a version and, if every party's wallet is local, sign with each and activate it.

    When some party has no wallet in the keystore folder, the version is only proposed
    and the next steps are printed (typed-data or sign, then activate).
    """
    state = get_state(ctx)
    by_hand = [parse_entry(state, e) for e in entries or []]
    require_entries(by_hand, from_round, from_active)
    document_hash = optional_bytes32(document, "--document")
    owner = state.wallet(WalletChoice(wallet, keystore, password_file)).account
    ledger = state.ledger.connect(owner)
    client = state.emc(emc, ledger)
    when_ = parse_deadline(client, deadline_days, deadline)
    parsed = version_entries(state, client, by_hand, from_round, from_active)

    parties = sorted({e.account for e in parsed} - {ZERO_ADDRESS}, key=lambda a: int(a, 16))
    local = state.labels()
    absent = [p for p in parties if p != owner.address and p not in local]
    if propose_only or absent:
        version_id, proposed = client.propose_version(parsed, document_hash, deadline=when_)
        report_proposal(state, client, version_id, proposed, as_json=False)
        if absent and not propose_only:
            note(
                f"not activated: {len(absent)} "
                f"{'party has' if len(absent) == 1 else 'parties have'} no wallet in "
                f"{state.keystores.folder}: {', '.join(absent)}."
            )
        note(next_steps(client, version_id))
        return

    # Every party signs here: decrypt each wallet before anything is sent.
    signers = [
        owner
        if p == owner.address
        else state.wallet(WalletChoice(local[p], password_file=password_file)).account
        for p in parties
    ]
    version_id, activated = ledger.agree(client, parsed, signers, document_hash, deadline=when_)
    version = client.version(version_id)
    echo(
        f"proposed version {version_id} of {client.address}, signed by its "
        f"{len(parties)} parties: {', '.join(local.get(p, p) for p in parties)}"
    )
    echo(
        f"activated version {version_id} from period {version.from_period} "
        f"(tx 0x{activated.tx_hash.hex()})"
    )
    print_entries(client.version_entries(version_id), local)


@shares_app.command("show")
def show(
    ctx: typer.Context,
    emc: EmcArgument,
    version_id: Annotated[
        int | None, typer.Option("--version", help="A version id (default: the active one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """One share version of an EMC with its entries and signers; every version stays readable."""
    state = get_state(ctx)
    client = state.emc(emc)
    count = client.version_count()
    active = client.active_version_id()
    chosen = active if version_id is None else to_uint(version_id, "--version")
    if version_id is not None and chosen == 0:
        # Version ids start at 1; 0 is what the contract answers for "no active version".
        known = f"versions 1 to {count}" if count > 1 else "version 1" if count else "none yet"
        current = f", the active one is {active}" if active else ", none is active"
        raise InvalidInputError(
            f"--version 0: there is no version 0; {client.address} has {known}{current}. "
            "Leave out --version for the active one."
        )
    if chosen == 0:
        message = (
            f"{client.address} has no active share version "
            f"({count} proposed; see one with --version N, activate with `rdh shares activate`)."
            if count
            else f"{client.address} has no share versions yet; propose one with `rdh shares set`."
        )
        if as_json:
            echo_json({"emc": client.address, "version_count": count, "version": None})
        else:
            echo(message)
        return
    labels = state.labels()
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "version_count": count,
                "version": version_json(client, chosen, labels),
            }
        )
        return
    print_version(client, chosen, labels, count)


# -- shared with `rdh emc show` ----------------------------------------------------------


def print_version(
    client: EmcClient,
    version_id: int,
    labels: Mapping[ChecksumAddress, str],
    count: int,
) -> None:
    version = client.version(version_id)
    pairs = [
        ("version", f"{version.id} of {count} ({version.status.name.lower()})"),
        ("from period", str(version.from_period) if version.activated_at else "-"),
        ("proposed", when(version.proposed_at)),
        ("activated", when(version.activated_at)),
        ("deadline", when(version.deadline)),
        ("nonce", str(version.nonce)),
        ("parties", str(version.party_count)),
    ]
    signers = client.signers(version_id)
    if signers is not None:
        pairs += [("signed by" if i == 0 else "", named(s, labels)) for i, s in enumerate(signers)]
    pairs.append(("document", hex32(version.document_hash)))
    fields(pairs)
    print_entries(client.version_entries(version_id), labels)


def print_entries(entries: list[ShareEntry], labels: Mapping[ChecksumAddress, str]) -> None:
    table(
        ["ACCOUNT", "WALLET", "CLASS", "BPS", "SHARE"],
        [
            [
                "(development fund)" if e.share_class is ShareClass.DEV_FUND else e.account,
                labels.get(e.account, "-"),
                class_name(e.share_class),
                f"{e.bps:,}",
                percent(e.bps),
            ]
            for e in entries
        ],
        right=[3, 4],
    )
    echo(f"total {bps_text(sum(e.bps for e in entries))}")


def version_json(
    client: EmcClient, version_id: int, labels: Mapping[ChecksumAddress, str]
) -> dict[str, Any]:
    version: Version = client.version(version_id)
    parties = client.parties(version_id)
    # Activation takes exactly the parties' signatures (EmcClient.signers).
    signers = parties if version.activated_at else None
    return {
        "id": version.id,
        "status": version.status.name.lower(),
        "epoch": version.epoch,
        "from_period": version.from_period,
        "proposed_at": when_json(version.proposed_at),
        "activated_at": when_json(version.activated_at),
        "deadline": when_json(version.deadline),
        "nonce": version.nonce,
        "party_count": version.party_count,
        "parties": [{"account": p, "wallet": labels.get(p)} for p in parties],
        "signers": None
        if signers is None
        else [{"account": s, "wallet": labels.get(s)} for s in signers],
        "document_hash": hex32(version.document_hash),
        "entries_hash": hex32(version.entries_hash),
        "entries": [
            {
                "account": e.account,
                "wallet": labels.get(e.account),
                "class": class_name(e.share_class),
                "bps": e.bps,
            }
            for e in client.version_entries(version_id)
        ],
    }
