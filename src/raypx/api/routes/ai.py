"""Models, runs and artifacts. Thin: dependencies → schema → one service call → response."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter, Query, Request

from raypx.ai import service as runs
from raypx.api.deps import CurrentUser, SessionDep, ai_runtime, document_storage
from raypx.api.schemas.ai import ArtifactOut, ModelOut, RunCreate, RunDetail, RunOut, RunPage
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import Text
from raypx.db.enums import RunStatus
from raypx.documents import service as documents
from raypx.errors import Invalid
from raypx.usage import service as usage

router = APIRouter(prefix="/api", tags=["ai"])


@router.get("/models", response_model=list[ModelOut], responses=errors())
async def list_models(request: Request) -> list[ModelOut]:
    return [
        ModelOut(
            name=m.name,
            provider=m.provider,
            context_window=m.context_window,
            input_usd_per_million=m.input_usd_per_million,
            output_usd_per_million=m.output_usd_per_million,
            plans=sorted(p.value for p in m.plans),
            description=m.description,
        )
        for m in ai_runtime(request).registry.list()
    ]


@router.post(
    "/runs",
    status_code=202,
    response_model=RunOut,
    responses=errors(400, 401, 402, 403, 404, 409, 422),
)
async def create_run(
    body: RunCreate, user: CurrentUser, session: SessionDep, request: Request
) -> RunOut:
    if body.document_id is not None:
        if body.input is not None:
            raise Invalid("give either input or document_id, not both", code="INVALID_INPUT")
        run = await documents.run_on_document(
            session, document_storage(request), ai_runtime(request), user.id, body.document_id,
            feature=body.feature, model=body.model, options=body.options,
        )  # fmt: skip
        return RunOut.model_validate(run)
    run = await runs.create_run(
        session, ai_runtime(request), user.id, feature=body.feature, input_text=body.input or "",
        model=body.model, options=body.options,
    )  # fmt: skip
    return RunOut.model_validate(run)


@router.get("/runs", response_model=RunPage, responses=errors(400, 401, 422))
async def list_runs(
    user: CurrentUser,
    session: SessionDep,
    cursor: Text | None = None,
    limit: int = Query(20, ge=1, le=100),
    status: RunStatus | None = None,
    feature: Text | None = None,
    document_id: uuid.UUID | None = None,
) -> RunPage:
    page = await runs.list_runs(
        session, user.id, cursor=cursor, limit=limit, status=status, feature=feature,
        document_id=document_id,
    )  # fmt: skip
    costs = await usage.run_costs(session, user.id, [r.id for r in page.items])
    return RunPage(
        items=[with_cost(RunOut.model_validate(r), costs) for r in page.items],
        next_cursor=page.next_cursor,
    )


def with_cost(run: RunOut, costs: dict[uuid.UUID, Decimal]) -> RunOut:
    return run.model_copy(update={"cost_usd": costs.get(run.id)})


@router.get("/runs/{run_id}", response_model=RunDetail, responses=errors(401, 404, 422))
async def get_run(run_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> RunDetail:
    run = await runs.get_run(session, user.id, run_id)
    artifacts = await runs.list_artifacts(session, user.id, run_id)
    costs = await usage.run_costs(session, user.id, [run.id])
    return RunDetail(
        **with_cost(RunOut.model_validate(run), costs).model_dump(),
        artifacts=[ArtifactOut.model_validate(a) for a in artifacts],
    )


@router.post(
    "/runs/{run_id}/cancel", response_model=RunOut, responses=errors(401, 403, 404, 409, 422)
)
async def cancel_run(run_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> RunOut:
    return RunOut.model_validate(await runs.cancel_run(session, user.id, run_id))


@router.post(
    "/runs/{run_id}/retry",
    status_code=202,
    response_model=RunOut,
    responses=errors(400, 401, 402, 403, 404, 409, 422),
)
async def retry_run(
    run_id: uuid.UUID, user: CurrentUser, session: SessionDep, request: Request
) -> RunOut:
    run = await runs.retry_run(session, ai_runtime(request), user.id, run_id)
    return RunOut.model_validate(run)


@router.get("/artifacts/{artifact_id}", response_model=ArtifactOut, responses=errors(401, 404, 422))
async def get_artifact(
    artifact_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> ArtifactOut:
    return ArtifactOut.model_validate(await runs.get_artifact(session, user.id, artifact_id))
