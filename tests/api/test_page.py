"""The web page and the OpenAPI document; neither needs the chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import STATIC_DIR, create_app
from rdh_chain.config import Settings


@pytest.fixture
def offline_client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path)))


def test_index_returns_page_when_chain_down(offline_client: TestClient) -> None:
    response = offline_client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert '<script src="/static/app.js" defer></script>' in response.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/static/app.js", "text/javascript"), ("/static/styles.css", "text/css")],
)
def test_static_returns_asset(offline_client: TestClient, path: str, content_type: str) -> None:
    response = offline_client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type


def test_page_loads_nothing_from_other_origins() -> None:
    for asset in ("index.html", "app.js", "styles.css"):
        text = (STATIC_DIR / asset).read_text(encoding="utf-8")
        assert "http://" not in text
        assert "https://" not in text


def test_page_script_calls_only_routes_that_exist(offline_client: TestClient) -> None:
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    paths = set(offline_client.get("/openapi.json").json()["paths"])

    for call in ('"/health"', '"/emcs"', "`/emcs/${", "`/members/${"):
        assert call in script
    assert paths == {
        "/auth/nonce",
        "/auth/siwe",
        "/auth/me",
        "/auth/logout",
        "/health",
        "/emcs",
        "/emcs/{address}",
        "/emcs/{address}/versions/{version_id}",
        "/emcs/{address}/versions/{version_id}/typed-data",
        "/emcs/{address}/capital/{account}",
        "/emcs/{address}/bids",
        "/emcs/{address}/bids/{round_id}",
        "/emcs/{address}/history",
        "/emcs/{address}/statement",
        "/emcs/{address}/history.{fmt}",
        "/emcs/{address}/statement.{fmt}",
        "/emcs/{address}/verify",
        "/members/{address}",
        "/members/{address}/share",
        "/members/{address}/history",
        "/emcs/{address}/versions/{version_id}/signatures",
        "/emcs/{address}/versions/{version_id}/activation",
        "/emcs/{address}/tx/claim",
        "/emcs/{address}/tx/commit-bid",
        "/emcs/{address}/tx/reveal-bid",
        "/emcs/{address}/tx/approve",
        "/emcs/{address}/tx/invest",
        "/emcs/{address}/tx/settle",
        "/emcs/{address}/reports/typed-data",
        "/tx/raw",
        "/tx/{tx_hash}",
    }


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
