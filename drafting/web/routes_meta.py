"""/api/engines: which engines can run here, so the page offers only those."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from drafting.web.deps import SettingsDep

router = APIRouter(prefix="/api", tags=["服务"])

LLM_NOTE = "未配置大模型（需设置 DRAFTING_LLM_MODEL），暂不可用"


class EngineInfo(BaseModel):
    """One engine a task can be run with, and whether it can run on this service."""

    id: str = Field(description="The engine's name in the API's `engine` parameter")
    name: str = Field(description="The engine's name on the page")
    tasks: list[str] = Field(description="Where it is offered: draft (起草), feedback (意见归类)")
    available: bool = Field(description="Whether it can run with the current settings")
    note: str = Field("", description="Why it cannot run, in Chinese; empty when it can")


@router.get("/engines", response_model=list[EngineInfo], summary="可用的起草与归类方式")
def engines(settings: SettingsDep) -> list[EngineInfo]:
    llm = settings.llm_enabled
    return [
        EngineInfo(id="auto", name="自动", tasks=["draft", "feedback"], available=True),
        EngineInfo(id="template", name="模板（离线）", tasks=["draft"], available=True),
        EngineInfo(id="embedded", name="内置模型（离线）", tasks=["feedback"], available=True),
        EngineInfo(id="llm", name="大模型", tasks=["draft", "feedback"], available=llm,
                   note="" if llm else LLM_NOTE),
    ]
