"""``make run`` starts as many gateway worker processes as ``RDH_API_WORKERS`` says."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rdh_chain.config import Settings
from rdh_chain.demo import gateway_command


def _workers(command: list[str]) -> str:
    return command[command.index("--workers") + 1]


def test_gateway_command_starts_one_worker_by_default() -> None:
    assert _workers(gateway_command(Settings())) == "1"


def test_gateway_command_starts_the_workers_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RDH_API_WORKERS", "3")

    command = gateway_command(Settings())

    assert _workers(command) == "3"
    assert command[command.index("-m") + 1 : command.index("-m") + 3] == ["uvicorn", "api.main:app"]


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_settings_refuse_a_worker_count_out_of_range(
    monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    monkeypatch.setenv("RDH_API_WORKERS", workers)

    with pytest.raises(ValidationError, match="api_workers"):
        Settings()
