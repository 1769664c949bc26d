"""The API through FastAPI's TestClient, with a recording retriever in place of the vector store."""

import pytest
from fastapi.testclient import TestClient

from drafting.config import get_settings
from drafting.corpus.models import Passage
from drafting.feedback.models import ClassifyResult
from drafting.web import deps
from drafting.web.db import open_history
from service import app
from tests.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)

FACTS = {
    "unit": "中共某某区委",
    "sector": "机关",
    "date": "2024-01-12",
    "basis": "市委创先争优活动领导小组关于开展群众评议工作的通知",
    "stats": [
        {"label": "开展评议大会", "value": "645", "unit": "场次"},
        {"label": "发放评议问卷", "value": "7800多", "unit": "份"},
        {"label": "群众满意度", "value": "96", "unit": "%"},
    ],
    "problems": ["个别党组织对群众评议工作重视程度不够高"],
    "next_steps": ["推行一季一评议、半年一小结、年终一总评的群众评诺制度"],
}

OPINIONS = """不要只局限于理论学习，多开展一些实践性活动。
学习基本上就是读文件、念报纸，大家坐着听，效果一般。
建议多组织参观红色教育基地，比在会议室里学更有感触。
有些党员的承诺写得很空，像口号，没法检查完成没有。
承诺书签完就放抽屉里了，年底也没人问兑现了多少。
建议把每个党员的承诺事项贴到公开栏，让群众来打分。
满意
没有意见
"""

# Three clear concerns for runs without a taxonomy (discovery only).
CONCERNS = """食堂的饭菜太贵了，分量还少。
单位食堂菜品单一，天天都是那几样。
食堂卫生状况差，餐具洗不干净。
希望食堂增加一些清淡的菜。
食堂开饭时间太短，来晚了就没菜了。
单位停车位太少，每天早上抢车位。
停车难的问题一直没解决，车只能停路边。
建议在后院划出一片停车区域。
外来车辆占用停车位，职工没地方停。
停车场没有照明，晚上取车不安全。
办事窗口的工作人员态度冷淡，问什么都说不知道。
窗口服务人员经常不在岗，群众等半天。
窗口工作人员说话生硬，解释政策不耐心。
满意
"""


class RecordingRetriever:
    """Stands in for the vector store: returns one exemplar and records every query it was asked."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def prime(self, queries: list[str]) -> None:
        """Nothing to prepare: the canned exemplar needs no embeddings."""

    def search(self, query: str, k: int = 5, *, sector: str | None = None,
               exclude_docs: set[str] | None = None) -> list[Passage]:
        self.queries.append(query)
        return [Passage(id="chunk-1", doc_id="doc-1", title="中共某某区委群众评议工作总结",
                        heading_path=["一、采取四项措施"],
                        text="一是准备工作求细。为确保群众评议工作不走过场，成立群众评议工作领导小组，"
                             "制定工作方案，广泛开展群众评议工作。二是评议范围求广。",
                        score=0.9)]


@pytest.fixture
def retriever() -> RecordingRetriever:
    return RecordingRetriever()


@pytest.fixture
def client(retriever, embedder):
    """TestClient over the real app; the retriever is the recording fake, the embedder the bundled one."""
    app.dependency_overrides[deps.retriever] = lambda: retriever
    app.dependency_overrides[deps.embedder] = lambda: embedder
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, monkeypatch) -> str:
    """The history on SQLite (DRAFTING_HOME) or on a fresh database of the test PostgreSQL server."""
    if request.param == "postgresql":
        monkeypatch.setenv("DRAFTING_DATABASE_URL", request.getfixturevalue("postgres_url"))
    get_settings.cache_clear()
    return get_settings().database


def seed_run(url: str, unit: str, result: ClassifyResult) -> str:
    """A finished run saved straight into the history (the ledger's tests need its list, not a classifier)."""
    history = open_history(url)
    run_id = history.start_feedback({"lines": [a.text for a in result.assignments]}, "embedded",
                                    result.total, unit)
    history.save_feedback(run_id, result.model_dump(mode="json"))
    return run_id
