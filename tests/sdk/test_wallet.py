from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from rdh_chain.exceptions import WalletError
from rdh_chain.wallet import KeystoreDir, create_keystore, load_keystore, read_password


def test_create_then_load_keystore_returns_same_address(tmp_path: Path) -> None:
    created = create_keystore(tmp_path / "chef.json", "pw", private_key=b"\x01" * 32)

    loaded = load_keystore(tmp_path / "chef.json", "pw")

    assert loaded.address == created.address
    assert json.loads((tmp_path / "chef.json").read_text())["version"] == 3
    assert stat.S_IMODE((tmp_path / "chef.json").stat().st_mode) == 0o600


def test_create_keystore_refuses_to_overwrite(tmp_path: Path) -> None:
    create_keystore(tmp_path / "a.json", "pw")
    before = (tmp_path / "a.json").read_text()

    with pytest.raises(WalletError, match="already exists"):
        create_keystore(tmp_path / "a.json", "pw")

    assert (tmp_path / "a.json").read_text() == before


def test_load_keystore_raises_for_wrong_password(tmp_path: Path) -> None:
    create_keystore(tmp_path / "a.json", "right")
    with pytest.raises(WalletError, match="wrong password"):
        load_keystore(tmp_path / "a.json", "wrong")


def test_load_keystore_raises_for_missing_and_garbled_files(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="No keystore"):
        load_keystore(tmp_path / "none.json", "pw")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(WalletError, match="not a readable keystore"):
        load_keystore(tmp_path / "bad.json", "pw")


def test_read_password_prefers_file_then_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pw").write_text("from-file\nignored\n")
    monkeypatch.setenv("RDH_PASSWORD", "from-env")
    assert read_password(tmp_path / "pw") == "from-file"
    assert read_password(None) == "from-env"
    monkeypatch.delenv("RDH_PASSWORD")
    with pytest.raises(WalletError, match="RDH_PASSWORD"):
        read_password(None)


def test_keystore_dir_creates_once_and_lists_names(tmp_path: Path) -> None:
    folder = KeystoreDir(tmp_path / "keys")

    first = folder.load_or_create("treasury")
    again = folder.load_or_create("treasury")

    assert first.address == again.address
    assert folder.names() == ["treasury"]
    assert stat.S_IMODE(folder.password_file.stat().st_mode) == 0o600
    with pytest.raises(WalletError, match="known: treasury"):
        folder.load("nobody")
    with pytest.raises(WalletError, match="not a wallet name"):
        folder.path("../escape")
