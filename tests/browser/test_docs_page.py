"""/docs renders the OpenAPI 3.1 schema with the Swagger UI the app serves itself (no CDN)."""

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", ["desk"])  # a page for programmers, in English, read at a desk
def test_swagger_ui_renders_offline(page, server):
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".opblock-summary-path", has_text="/api/drafts").count() >= 1
    assert outside == []
    shot(page, "docs")
