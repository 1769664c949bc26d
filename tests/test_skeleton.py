from click.testing import CliRunner
from fastapi.testclient import TestClient

from drafting.cli import app
from drafting.config import get_settings


def test_settings_read_home_from_environment(drafting_home):
    assert get_settings().home == drafting_home


def test_healthz():
    from service import app as web

    assert TestClient(web).get("/healthz").json() == {"status": "ok"}


def test_serve_refuses_public_address_without_token():
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "DRAFTING_API_TOKEN" in result.output


def test_embedder_prefixes_rank_relevant_passage_first(embedder):
    q = embedder.queries(["评议范围求广"])[0]
    p = embedder.passages(["评议范围求广，扩大群众参与面", "学校操场一下雨就积水"])
    assert (p @ q).argmax() == 0
