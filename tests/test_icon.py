"""The app's icon: every page links it, and /favicon.ico (which browsers and
tools ask for whatever a page links) leads to it instead of a 404."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import open_session

LINK = '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">'


def test_pages_link_the_icon_and_favicon_ico_leads_to_it(console: TestClient) -> None:
    code = open_session(console)["join_code"]
    for path in ("/", f"/join/{code}", f"/p/{code}", "/console", "/login"):
        assert LINK in console.get(path).text, path
    moved = console.get("/favicon.ico", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/static/icon.svg"
    icon = console.get("/static/icon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
