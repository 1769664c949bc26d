"""The corpus through the API, on the real local store (the sample corpus loads on first use)."""

import pytest

from drafting.web import deps
from service import app

SUMMARY = """某某县人民医院创先争优群众评议工作总结

按照县委的统一部署，我院开展了群众评议工作。
一、精心组织，确保评议工作有序开展
一是召开动员大会，统一思想认识。二是设立意见箱，广泛听取患者意见。
二、认真整改，推动医疗服务水平提升
针对患者反映的挂号排队时间长的问题，开设了错峰预约窗口。
"""


@pytest.fixture
def real_client(client):
    """The client with the real store and retriever instead of the recording fake."""
    app.dependency_overrides.pop(deps.retriever)
    return client


def test_upload_list_search(real_client):
    before = real_client.get("/api/corpus")
    assert before.status_code == 200
    count = len(before.json())
    assert count >= 1, "the sample corpus should load on first use"

    files = [("files", ("医院总结.txt", SUMMARY.encode("utf-8"), "text/plain"))]
    added = real_client.post("/api/corpus", files=files)
    assert added.status_code == 200, added.text
    assert len(added.json()["added"]) == 1 and added.json()["chunks_added"] >= 1
    again = real_client.post("/api/corpus", files=files).json()
    assert again["added"] == [] and len(again["skipped"]) == 1

    listed = real_client.get("/api/corpus").json()
    assert len(listed) == count + 1
    assert any("人民医院" in d["title"] for d in listed)

    found = real_client.get("/api/corpus/search", params={"q": "挂号排队时间长 错峰预约", "k": 3}).json()
    assert "错峰预约" in found[0]["text"]
    first = real_client.get("/api/corpus/search", params={"q": "评议范围求广"}).json()[0]
    assert "评议范围求广" in first["text"]


def test_bad_uploads(real_client):
    binary = ("表格.exe", b"MZ\x00\x01", "application/octet-stream")
    wrong = real_client.post("/api/corpus", files=[("files", binary)])
    assert wrong.status_code == 422 and wrong.json()["detail"].startswith("表格.exe")
    none = real_client.post("/api/corpus", json={"files": []})
    assert none.status_code == 422 and none.json()["detail"].startswith("files")
    empty_query = real_client.get("/api/corpus/search", params={"q": ""})
    assert empty_query.status_code == 422 and empty_query.json()["detail"].startswith("q")
