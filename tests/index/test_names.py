"""Members have names: the index keeps the profiles whose hash is a member's metadata.

The demo's members are seeded with their profiles' hashes as metadata; the documents are
written to a profile folder here (as ``rdh demo`` writes them to the data folder's), some
tampered with or left out.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from sqlalchemy import MetaData, create_engine, func, insert, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rdh_chain.chain import AnvilNode
from rdh_chain.cli.main import app
from rdh_chain.demo import PROFILES
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb, migrate
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.names import refresh_names
from rdh_chain.index.queries import MemberName
from rdh_chain.index.schema import CHAIN_TABLES, DERIVED_TABLES, MemberRow, ProfileRow
from rdh_chain.index.settings import IndexSettings
from rdh_chain.profiles import MatchStatus, Profile, ProfileKind, ProfileStore
from rdh_chain.types import Role
from tests.index.conftest import World, dump, open_indexer
from tests.index.test_cli import _rdh

NEW_COLUMNS = {"members": {"profile_status", "profile_name", "profile_kind"}}


def write_profiles(world: World, folder: Path, *, skip: tuple[str, ...] = ()) -> ProfileStore:
    """The demo's profile documents in ``folder``, as the demo writes them (with accounts)."""
    store = ProfileStore(folder)
    for name, account in world.cast.wallets().items():
        if name not in skip:
            store.put(PROFILES[name], account.address)
    return store


def members_by_wallet(world: World) -> dict[str, ChecksumAddress]:
    """The demo's wallets that are registry members, by wallet name."""
    on_chain = set(world.ledger.registry.members())
    return {n: a.address for n, a in world.cast.wallets().items() if a.address in on_chain}


def synced(url: str, world: World, store: ProfileStore) -> Indexer:
    """An index of the chain, its members named from ``store`` (what ``rdh index sync`` does)."""
    indexer = open_indexer(url, world, profiles_dir=store.folder)
    indexer.sync()
    with indexer.db.transaction() as session:
        refresh_names(session, indexer.settings.profile_store)
    return indexer


def test_the_demos_members_are_indexed_with_their_names(
    world: World, index_url: str, tmp_path: Path
) -> None:
    store = write_profiles(world, tmp_path / "profiles")
    indexer = synced(index_url, world, store)
    wallets = members_by_wallet(world)
    with indexer.db.session() as session:
        names = queries.names(session)
        members = {m.address: m for m in queries.members(session)}
        stored = {r.hash: r for r in session.scalars(select(ProfileRow))}
        counts = queries.profile_counts(session)
    indexer.db.close()

    assert {"chef", "food-processor", "duck-farm", "platform", "me-smart-cooking"} <= set(wallets)
    assert len([w for w in wallets if w.startswith("me-")]) == 11
    chef = names[wallets["chef"]]
    assert (chef.name, chef.kind, chef.status) == (
        "Chef Zhang Weili",
        ProfileKind.PARTNER,
        MatchStatus.MATCHED,
    )
    assert names[wallets["food-processor"]].label == "Huifa Group"
    for wallet, address in wallets.items():
        profile = PROFILES[wallet]
        assert names[address] == queries.MemberName(profile.name, profile.kind, MatchStatus.MATCHED)
        assert members[address].name == profile.name
        assert members[address].profile == names[address]
        # The document kept is the one whose hash is the metadata, canonical, byte for byte.
        row = stored[members[address].metadata_hash]
        assert keccak(row.document) == row.hash
        assert (row.name, row.kind, row.note, row.document) == (
            profile.name,
            profile.kind.value,
            profile.note,
            profile.canonical(),
        )
    # Only the documents of matched members (members other than the wallets have none).
    matched = {m.metadata_hash for m in members.values() if m.profile.trusted}
    assert set(stored) == matched
    assert counts.matched == len(matched)
    assert counts.pending == 0
    assert counts.matched + counts.mismatch + counts.missing == len(members)


def test_a_tampered_document_is_a_mismatch_and_a_member_without_one_is_missing(
    world: World, index_url: str, tmp_path: Path
) -> None:
    store = write_profiles(world, tmp_path / "profiles", skip=("duck-farm",))
    wallets = members_by_wallet(world)
    huifa = PROFILES["food-processor"]
    # Edited in place: the file named after the metadata no longer hashes to it.
    tampered = {**huifa.as_dict(), "name": "Huifa Group (all profits)"}
    store.path(huifa.hash).write_text(json.dumps(tampered, indent=2), encoding="utf-8")
    indexer = synced(index_url, world, store)
    with indexer.db.session() as session:
        names = queries.names(session)
        stored = set(session.scalars(select(ProfileRow.hash)))
        counts = queries.profile_counts(session)
    indexer.db.close()

    found = names[wallets["food-processor"]]
    assert (found.status, found.name, found.trusted) == (
        MatchStatus.MISMATCH,
        "Huifa Group (all profits)",
        False,
    )
    assert found.label == "Huifa Group (all profits) (unverified)"
    assert names[wallets["duck-farm"]] == queries.MemberName(None, None, MatchStatus.MISSING)
    assert names[wallets["duck-farm"]].label is None
    assert huifa.hash not in stored
    assert PROFILES["duck-farm"].hash not in stored
    assert names[wallets["chef"]].status is MatchStatus.MATCHED
    assert counts.mismatch >= 1
    assert counts.missing >= 1


def test_a_profile_added_after_the_sync_is_picked_up(world: World, tmp_path: Path) -> None:
    store = write_profiles(world, tmp_path / "profiles", skip=("duck-farm", "chef"))
    indexer = synced(f"sqlite:///{tmp_path}/index.sqlite", world, store)
    duck, chef = (members_by_wallet(world)[n] for n in ("duck-farm", "chef"))
    with indexer.db.session() as session:
        assert queries.names(session, [duck])[duck].status is MatchStatus.MISSING

    store.put(PROFILES["duck-farm"])  # a copied document: no account recorded with it
    with indexer.db.transaction() as session:
        assert refresh_names(session, store) == 1
    with indexer.db.session() as session:
        names = queries.names(session, [duck, chef])
        assert session.get(ProfileRow, PROFILES["duck-farm"].hash) is not None
    assert names[duck] == queries.MemberName(
        "The duck farm", ProfileKind.PARTNER, MatchStatus.MATCHED
    )
    assert names[chef].status is MatchStatus.MISSING
    # Nothing new: nothing changes.
    with indexer.db.transaction() as session:
        assert refresh_names(session, store) == 0
    indexer.db.close()


def test_members_derived_again_are_named_again_and_stale_profiles_go(
    world: World, tmp_path: Path
) -> None:
    """The indexer names the members a batch (re)derives in that batch: no CLI call."""
    store = write_profiles(world, tmp_path / "profiles")
    indexer = synced(f"sqlite:///{tmp_path}/index.sqlite", world, store)
    chef = members_by_wallet(world)["chef"]
    renamed = Profile("Zhang Weili, chef", ProfileKind.PARTNER)
    store.put(renamed, chef)
    world.ledger.connect(world.cast.admin).registry.set_metadata(chef, renamed.hash)
    indexer.sync()
    with indexer.db.session() as session:
        assert queries.names(session, [chef])[chef].name == "Zhang Weili, chef"
        kept = set(session.scalars(select(ProfileRow.hash)))
        assert queries.profile_counts(session).pending == 0
    assert renamed.hash in kept
    assert PROFILES["chef"].hash not in kept
    reference = synced(f"sqlite:///{tmp_path}/reference.sqlite", world, store)
    assert dump(indexer.db) == dump(reference.db)
    indexer.db.close()
    reference.db.close()


def test_a_member_is_named_in_the_transaction_that_writes_its_row(
    world: World, index_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every batch commits its member rows named: no commit leaves one unnamed."""
    store = write_profiles(world, tmp_path / "profiles")
    indexer = open_indexer(index_url, world, profiles_dir=store.folder, batch_logs=1)
    unnamed_at_commit: list[int] = []
    write = indexer.write

    def checked(session: Session, *args: Any) -> None:
        write(session, *args)
        pending = session.scalar(
            select(func.count()).select_from(MemberRow).where(MemberRow.profile_status.is_(None))
        )
        unnamed_at_commit.append(pending or 0)

    monkeypatch.setattr(indexer, "write", checked)
    indexer.sync()  # no refresh_names, no CLI: the indexer alone
    wallets = members_by_wallet(world)
    with indexer.db.session() as session:
        names = queries.names(session, list(wallets.values()))
        counts = queries.profile_counts(session)
    indexer.db.close()
    assert len(unnamed_at_commit) > 1
    assert set(unnamed_at_commit) == {0}
    assert counts.pending == 0
    for wallet, address in wallets.items():
        assert names[address].name == PROFILES[wallet].name
        assert names[address].status is MatchStatus.MATCHED


def test_rebuild_gives_the_same_rows_names_included(
    world: World, index_url: str, tmp_path: Path
) -> None:
    store = write_profiles(world, tmp_path / "profiles", skip=("duck-farm",))
    store.path(PROFILES["chef"].hash).write_text('{"kind":"partner","name":"Someone"}')
    indexer = synced(index_url, world, store)
    before = dump(indexer.db)
    indexer.rebuild()  # names the members itself, in its transaction
    assert dump(indexer.db) == before
    assert before["profiles"]
    indexer.db.close()


def test_migration_0002_upgrades_an_index_made_at_0001_without_losing_rows(
    world: World, index_url: str, tmp_path: Path
) -> None:
    store = write_profiles(world, tmp_path / "profiles")
    reference = synced(f"sqlite:///{tmp_path}/reference.sqlite", world, store)
    expected = dump(reference.db)

    # An index at 0001 holding the chain's rows (those of 0001's columns).
    engine = create_engine(index_url)
    migrate(engine, "0001")
    old = MetaData()
    old.reflect(engine)
    assert "profiles" not in old.tables
    assert not NEW_COLUMNS["members"] & {c.name for c in old.tables["members"].columns}
    with reference.db.engine.connect() as source, engine.begin() as target:
        for table in (*CHAIN_TABLES, *DERIVED_TABLES):
            if table.name not in old.tables:
                continue
            columns = [c.name for c in old.tables[table.name].columns]
            copied = [
                dict(r._mapping) for r in source.execute(select(*(table.c[c] for c in columns)))
            ]
            if copied:
                target.execute(insert(old.tables[table.name]), copied)
    engine.dispose()

    db = IndexDb.open(index_url)  # migrates to the head
    assert {c["name"] for c in inspect(db.engine).get_columns("members")} >= NEW_COLUMNS["members"]
    upgraded = dump(db)
    for name, rows in expected.items():
        if name == "profiles":
            assert upgraded[name] == []
        elif name == "members":
            # Every member kept, not yet named: the last three columns are the new ones.
            assert [r[:-3] for r in upgraded[name]] == [r[:-3] for r in rows]
            assert {r[-3:] for r in upgraded[name]} == {(None, None, None)}
        else:
            assert upgraded[name] == rows, name
    with db.session() as session:
        assert queries.profile_counts(session).pending == len(expected["members"])
    # The indexer's next run names them: then it is the index made at the head.
    indexer = Indexer(
        db,
        world.w3.provider,
        world.deployment,
        world.decoder,
        IndexSettings(url=index_url, profiles_dir=store.folder),
    )
    indexer.sync()
    with db.transaction() as session:
        refresh_names(session, store)
    assert dump(db) == expected
    db.close()
    reference.db.close()


def test_the_profile_folder_is_the_data_folders_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RDH_INDEX_PROFILES_DIR", raising=False)
    assert IndexSettings(data_dir=tmp_path).profile_store.folder == tmp_path / "profiles"
    monkeypatch.setenv("RDH_INDEX_PROFILES_DIR", str(tmp_path / "copied"))
    assert IndexSettings(data_dir=tmp_path).profile_store.folder == tmp_path / "copied"


def test_rdh_index_names_members_on_sync_profiles_and_rebuild(
    world: World, anvil: AnvilNode, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    world.deployment.save(data / "deployment.json")
    env = {"RDH_DATA_DIR": str(data), "RDH_RPC_URL": anvil.rpc_url}
    write_profiles(world, data / "profiles", skip=("duck-farm", "chef"))
    wallets = members_by_wallet(world)

    assert "members: " in _rdh(env, "index", "sync")
    report = json.loads(_rdh(env, "index", "status", "--json"))
    assert report["member_profiles"]["missing"] >= 2
    assert report["member_profiles"]["pending"] == 0
    assert "member profiles" in _rdh(env, "index", "status")

    # A document handed over as a file; then one written to the folder, seen by the sync.
    document = tmp_path / "duck.json"
    document.write_text(json.dumps(PROFILES["duck-farm"].as_dict(), indent=2))
    added = json.loads(_rdh(env, "index", "profiles", str(document), "--json"))
    assert added["added"] == ["0x" + PROFILES["duck-farm"].hash.hex()]
    assert added["changed"] == 1
    assert added["members"]["missing"] == report["member_profiles"]["missing"] - 1
    unmatched = {m["address"]: m["status"] for m in added["unmatched"]}
    assert unmatched[wallets["chef"]] == "missing"
    assert wallets["duck-farm"] not in unmatched
    ProfileStore(data / "profiles").put(PROFILES["chef"])
    _rdh(env, "index", "sync")

    db = IndexDb.open(f"sqlite:///{data / 'index.sqlite'}")
    try:
        with db.session() as session:
            names = queries.names(session, [wallets["chef"], wallets["duck-farm"]])
        assert {n.label for n in names.values()} == {"Chef Zhang Weili", "The duck farm"}
        before = dump(db)
        assert "members: " in _rdh(env, "index", "rebuild")
        assert dump(db) == before
        # Another folder: none of the documents, so every member is missing.
        empty = tmp_path / "empty"
        _rdh(env, "index", "profiles", "--profiles-dir", str(empty))
        with db.session() as session:
            counts = queries.profile_counts(session)
            assert session.scalars(select(ProfileRow.hash)).all() == []
        assert counts.matched == counts.mismatch == 0
    finally:
        db.close()


def test_rdh_index_follow_names_the_members_it_adds(
    world: World, anvil: AnvilNode, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    world.deployment.save(data / "deployment.json")
    env = {"RDH_DATA_DIR": str(data), "RDH_RPC_URL": anvil.rpc_url}
    store = write_profiles(world, data / "profiles")
    newcomer = Account.create().address
    profile = Profile("A new duck farm", ProfileKind.PARTNER)
    store.put(profile, newcomer)
    index = f"sqlite:///{data / 'index.sqlite'}"
    named: list[MemberName] = []

    def add_then_stop() -> None:
        try:
            deadline = time.monotonic() + 30
            while not (data / "index.sqlite").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            admin = world.ledger.connect(world.cast.admin)
            admin.registry.add_member(newcomer, Role.PARTNER, profile.hash)
            while time.monotonic() < deadline and not named:
                time.sleep(0.05)
                db = IndexDb.open(index, upgrade=False)
                try:
                    with db.session() as session:
                        found = queries.names(session, [newcomer]).get(newcomer)
                except Exception:  # the schema may not be there yet
                    found = None
                finally:
                    db.close()
                if found is not None and found.status is MatchStatus.MATCHED:
                    named.append(found)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=add_then_stop, daemon=True)
    helper.start()
    output = _rdh(env, "index", "follow")
    helper.join(timeout=30)
    assert "stopped at block" in output
    assert named == [MemberName("A new duck farm", ProfileKind.PARTNER, MatchStatus.MATCHED)]


def test_rdh_index_profiles_refuses_a_document_that_is_not_a_profile(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "Huifa Group", "kind": "supplier"}')
    result = CliRunner().invoke(
        app,
        ["index", "profiles", str(bad)],
        env={"RDH_DATA_DIR": str(tmp_path / "data"), "RDH_INDEX_URL": None},
    )
    assert result.exit_code != 0
    assert "bad.json" in result.output
    assert "supplier" in result.output
    assert not (tmp_path / "data" / "profiles").exists()
