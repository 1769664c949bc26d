"""The web page (起草, 意见归类, 整改台账, 语料库) and the token login that sets an HttpOnly cookie."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from drafting.feedback.taxonomy import sector_choices
from drafting.web import TEMPLATES_DIR
from drafting.web.deps import SettingsDep
from drafting.web.security import end_session, start_session
from drafting.writer.facts import SECTORS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def _local(target: str) -> str:
    """Only same-site paths are followed after login."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


# The history lists are read page by page by the page's script (GET /api/drafts, /api/feedback).
@router.get("/", response_class=HTMLResponse)
def draft_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "draft.html", {"page": "draft", "sectors": SECTORS})


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(request: Request) -> HTMLResponse:
    context = {"page": "feedback", "sectors": sector_choices()}
    return templates.TemplateResponse(request, "feedback.html", context)


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "ledger.html", {"page": "ledger"})


@router.get("/corpus", response_class=HTMLResponse)
def corpus_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "corpus.html", {"page": "corpus"})


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    if settings.api_token is None:
        return RedirectResponse(_local(next), status_code=303)
    context = {"page": "login", "next": _local(next), "error": ""}
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, settings: SettingsDep, token: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/") -> Response:
    secret = settings.api_token
    if secret is not None and not hmac.compare_digest(token.encode("utf-8"),
                                                      secret.get_secret_value().encode("utf-8")):
        return templates.TemplateResponse(request, "login.html", {
            "page": "login", "next": _local(next), "error": "令牌不正确，请重新输入"}, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    if secret is not None:
        start_session(response, request, settings)
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response
