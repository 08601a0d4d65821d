"""Two gateway processes on one data folder share sign-ins, logouts and spent nonces, as
the workers of ``make run`` do (RDH_API_WORKERS) through the store's SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.auth.deps import SESSION_COOKIE
from rdh_chain.chain import AnvilNode
from rdh_chain.chain.anvil import free_port
from tests.api.auth_helpers import sign, sign_in, siwe_message
from tests.api.helpers import World


def _start(world: World, anvil: AnvilNode, port: int, public_url: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "RDH_RPC_URL": anvil.rpc_url,
        "RDH_DATA_DIR": str(world.settings.data_dir),
        "RDH_AUTH_PUBLIC_URL": public_url,
    }
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--lifespan", "off"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            _, err = process.communicate()
            raise AssertionError(f"the gateway at {url} exited: {err.decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the gateway at {url} did not answer")


@pytest.fixture(scope="module")
def workers(world: World, anvil: AnvilNode) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two gateway processes behind one public URL (the first's), as behind a proxy."""
    ports = free_port(), free_port()
    public_url = f"http://127.0.0.1:{ports[0]}"
    processes = [_start(world, anvil, port, public_url) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=True):
            _wait_until_up(url, process)
        with httpx.Client(base_url=urls[0]) as one, httpx.Client(base_url=urls[1]) as two:
            yield one, two
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_a_session_from_one_worker_works_on_the_other_until_logout(
    workers: tuple[httpx.Client, httpx.Client], world: World
) -> None:
    one, two = workers
    one.cookies.clear()
    sign_in(one, world.chef)
    token = one.cookies[SESSION_COOKIE]
    two.cookies.set(SESSION_COOKIE, token)

    assert two.get("/auth/me").json()["address"] == world.chef.address
    assert two.post("/auth/logout").json() == {"signed_out": True}
    ended = one.get("/auth/me")
    assert (ended.status_code, ended.json()["error"]) == (401, "session_ended")


def test_one_message_sent_to_both_workers_at_once_signs_in_once(
    workers: tuple[httpx.Client, httpx.Client], world: World
) -> None:
    one, two = workers
    message = siwe_message(one, world.chef)
    body = {"message": message, "signature": sign(world.chef, message)}
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda c: c.post("/auth/siwe", json=body), (one, two)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 401]
    (refused,) = (a for a in answers if a.status_code == 401)
    assert refused.json()["error"] == "replayed"
