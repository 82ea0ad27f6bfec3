"""/api/v1/openapi.json against the live routes: every API route is documented, and every
documented operation reaches its handler (no 404 or 405 from the router)."""

from __future__ import annotations

import re

from tests.staff import StaffApi

PARAMETER = re.compile(r"\{(\w+)\}")


def api_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    routes = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith("/api/") and route.method != "HEAD":
            routes.add((route.method.lower(), path))
    return routes


def documented(document: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


async def test_the_document_is_openapi_3_and_public(client):
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.") and document["info"]["title"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                assert operation["responses"], f"{method} {path} documents no response"


async def test_every_api_route_is_documented_and_every_documented_route_answers(
    client, sessions, clock, towns, reports
):
    document = await (await client.get("/api/v1/openapi.json")).json()
    live, listed = api_routes(client.server.app), documented(document)
    assert live - listed == set(), "routes missing from the OpenAPI document"
    assert listed - live == set(), "documented operations with no route"

    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    closed = await reports.advanced("closed")
    for method, path in sorted(listed):
        url = PARAMETER.sub(closed.number, path)
        call = client.get if method == "get" else client.post
        kwargs = {} if method == "get" else {"json": {}}
        response = await call(url, headers=staff._headers("wang"), **kwargs)
        body = await response.json()
        assert response.status != 405, f"{method} {path}"
        assert not (response.status == 404 and body.get("message") == "Not Found"), (
            f"{method} {path} is documented but no route answers it"
        )
