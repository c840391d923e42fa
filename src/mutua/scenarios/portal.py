"""The scenarios' pages: the saved scenarios (the board reads them), a comparison computed on the
spot (the controller's; nothing written unless saved), a saved scenario with its adoption, and next
year's tariff proposal with its effect per member. Their words are in the ``scenarios`` catalogue
(``t`` in the templates; the page frame keeps the portal's ``_``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from mutua.costing.domain.centres import SupportMethod
from mutua.kernel.access import User
from mutua.kernel.problems import Problem, Rejected
from mutua.platform import i18n
from mutua.platform.web.auth import check_csrf
from mutua.platform.web.deps import latest_year
from mutua.platform.web.pages import Ctx, YearQuery, language, page_permit, render, see_other
from mutua.scenarios import service

router = APIRouter(include_in_schema=False)
NAME = Path(min_length=1, max_length=100)
MAX_MODEL_BYTES = 1_000_000


def _page(request: Request, name: str, user: User, **data: Any) -> HTMLResponse:
    t = i18n.translator(language(request, user), "scenarios")
    return render(request, name, user, t=t, **data)


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios(
    request: Request, user: Annotated[User, page_permit(service.list_scenarios)], ctx: Ctx, year: YearQuery = None
) -> HTMLResponse:
    found = service.list_scenarios(ctx.uow(user.username))
    return _page(request, "scenarios/list.html", user, scenarios=found, year=year or latest_year(ctx))


async def _model_text(upload: UploadFile | None) -> str | None:
    if upload is None or not upload.filename:
        return None
    data = await upload.read(MAX_MODEL_BYTES + 1)
    if len(data) > MAX_MODEL_BYTES:
        raise Rejected([Problem(upload.filename, None, None, "the model file is larger than 1 MB")], "scenario")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Rejected([Problem(upload.filename, None, None, "not UTF-8 text")], "scenario") from None


@router.post("/scenarios", response_class=HTMLResponse)
async def compare(
    request: Request,
    user: Annotated[User, page_permit(service.compare_scenario)],
    ctx: Ctx,
    year: Annotated[int, Form(ge=1900, le=9999)],
    basis: Annotated[str, Form(pattern="^(direct|step_down|reciprocal|tariffs|model)$")],
    model: UploadFile | None = None,
    name: Annotated[str, Form(max_length=100)] = "",
    description: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    text = await _model_text(model) if basis == "model" else None
    if basis == "model" and text is None:
        raise Rejected([Problem("scenario", None, "model", "choose a cost model file")], "scenario")
    uow = ctx.uow(user.username)
    proposed = service.scenario_model(
        uow,
        year,
        model_text=text,
        source=(model.filename or "model") if model is not None else "model",
        method=SupportMethod(basis) if basis in {m.value for m in SupportMethod} else None,
        tariffs=basis == "tariffs",
    )
    if name.strip():
        saved, _ = service.save_scenario(uow, name, year, proposed, description)
        return see_other(f"/scenarios/{quote(saved.name, safe='')}")
    comparison = service.compare_scenario(uow, year, proposed)
    return _page(request, "scenarios/comparison.html", user, c=comparison, saved=None, year=year)


@router.get("/scenarios/{name}", response_class=HTMLResponse)
def show(
    request: Request,
    user: Annotated[User, page_permit(service.show_scenario)],
    ctx: Ctx,
    name: Annotated[str, NAME],
) -> HTMLResponse:
    saved, comparison = service.show_scenario(ctx.uow(user.username), name)
    return _page(request, "scenarios/comparison.html", user, c=comparison, saved=saved, year=saved.year)


@router.post("/scenarios/{name}/adopt")
def adopt(
    request: Request,
    user: Annotated[User, page_permit(service.adopt_scenario)],
    ctx: Ctx,
    name: Annotated[str, NAME],
    in_force_from: Annotated[date, Form()],
    decision: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    service.adopt_scenario(ctx.uow(user.username), name, in_force_from, decision)
    return see_other(f"/scenarios/{quote(name, safe='')}")


@router.get("/tariffs/proposal", response_class=HTMLResponse)
def proposal(
    request: Request, user: Annotated[User, page_permit(service.tariff_proposal)], ctx: Ctx, year: YearQuery = None
) -> HTMLResponse:
    year = year or latest_year(ctx)
    view = service.tariff_proposal(ctx.uow(user.username), year)
    return _page(request, "scenarios/proposal.html", user, p=view, c=view.comparison, year=year)
