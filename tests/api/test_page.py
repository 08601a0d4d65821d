"""The web page and the OpenAPI document; neither needs the chain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.demo_wallets import DemoSettings
from api.main import STATIC_DIR, create_app
from rdh_chain.config import Settings


@pytest.fixture
def offline_client(tmp_path: Path) -> TestClient:
    # With the demo's wallets (make run's), so that every route the page may call is there.
    settings = Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path)
    return TestClient(create_app(settings, demo=DemoSettings(wallets=True)))


def test_index_returns_page_when_chain_down(offline_client: TestClient) -> None:
    response = offline_client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert '<script type="module" src="/static/app.js"></script>' in response.text


def _assets() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())


def test_static_returns_every_asset(offline_client: TestClient) -> None:
    types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
    assets = _assets()
    assert {"app.js", "styles.css", "lib/wallet.js", "views/node.js"} <= {
        p.relative_to(STATIC_DIR).as_posix() for p in assets
    }
    for asset in assets:
        response = offline_client.get(f"/static/{asset.relative_to(STATIC_DIR).as_posix()}")

        assert response.status_code == 200, asset
        assert response.headers["content-type"].split(";")[0] == types[asset.suffix], asset


def test_page_loads_nothing_from_other_origins() -> None:
    for asset in _assets():
        text = asset.read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), asset
        assert "https://" not in text, asset
        assert "import(" not in text, asset  # modules come from static imports only
        for imported in re.findall(r'from "([^"]+)"', text):
            assert imported.startswith("./") or imported.startswith("../"), (asset, imported)


# A literal the scripts fetch: "/path", `/path/${x}` or `${base}/path` (base is an EMC's
# `/emcs/${...}`); queries and ${query(...)} dropped, other ${...} a path parameter.
_LITERAL = re.compile(r'"(/[a-z][^"]*)"|`((?:/|\$\{base\}/)[^`]*)`')


def _called_paths() -> set[str]:
    found = set()
    for asset in _assets():
        if asset.suffix != ".js":
            continue
        for plain, template in _LITERAL.findall(asset.read_text(encoding="utf-8")):
            path = plain or template
            path = path.replace("${base}", "/emcs/{p}")
            path = re.sub(r"\$\{query\(.*?\)\}", "", path)
            path = re.sub(r"\$\{[^}]*\}", "{p}", path).split("?")[0]
            if not path.startswith("/static/"):
                found.add(path)
    return found


def test_page_scripts_call_only_routes_that_exist(offline_client: TestClient) -> None:
    documented = offline_client.get("/openapi.json").json()["paths"]
    patterns = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$") for p in documented]
    called = _called_paths()

    assert {"/health", "/auth/nonce", "/auth/siwe", "/members", "/emcs/{p}/tx/claim"} <= called
    for path in called:
        assert any(p.match(path) for p in patterns), path


def test_openapi_documents_tags_summaries_and_error_body(offline_client: TestClient) -> None:
    document = offline_client.get("/openapi.json").json()

    assert [tag["name"] for tag in document["tags"]] == [
        "health",
        "emcs",
        "bids",
        "members",
        "audit",
        "auth",
        "agreements",
        "transactions",
        "reports",
        "demo",
    ]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert len(operation["tags"]) == 1, (method, path)
            assert operation["responses"]["503"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorPublic"
            }, (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert offline_client.get("/docs").status_code == 200


def test_openapi_documents_typed_data_in_wallet_form(offline_client: TestClient) -> None:
    document = offline_client.get("/openapi.json").json()
    route = document["paths"]["/emcs/{address}/versions/{version_id}/typed-data"]["get"]
    schemas = document["components"]["schemas"]

    assert route["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TypedDataPublic"
    }
    assert set(route["responses"]) == {"200", "401", "403", "404", "422", "503"}
    assert list(schemas["TypedDataPublic"]["properties"]) == [
        "types",
        "primaryType",
        "domain",
        "message",
    ]
    assert list(schemas["TypedDataTypesPublic"]["properties"]) == [
        "EIP712Domain",
        "ShareVersion",
        "ShareEntry",
    ]
    assert list(schemas["TypedDataDomainPublic"]["properties"]) == [
        "name",
        "version",
        "chainId",
        "verifyingContract",
    ]
    assert list(schemas["TypedShareVersionPublic"]["properties"]) == [
        "versionId",
        "entries",
        "documentHash",
        "nonce",
        "deadline",
    ]
    version = schemas["VersionPublic"]["properties"]
    assert {"deadline", "nonce", "party_count", "parties", "entries_hash"} <= set(version)


def test_docs_page_loads_swagger_ui_from_the_gateway_not_a_cdn(offline_client: TestClient) -> None:
    page = offline_client.get("/docs").text

    assert "/docs-assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    script = offline_client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
