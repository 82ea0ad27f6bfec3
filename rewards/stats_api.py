"""`GET /api/v1/stats?year=Y[&quarter=Q]`: the statistics of a year or a quarter as JSON, for
dispatchers, leaders, auditors and admins (SPEC §11); the same figures as `jubao stats`."""

from __future__ import annotations

from aiohttp import web

from complaints.statistics import BadPeriod, period_of
from jubao.auth import bearer_staff, bearer_token
from jubao.keys import CLOCK, SESSIONS, SETTINGS
from jubao.middlewares import ApiError, json_response
from jubao.roles import READ_STATS
from rewards.statistics import period_statistics


async def stats_view(request: web.Request) -> web.Response:
    token = bearer_token(request)
    async with request.app[SESSIONS]() as session:
        staff = await bearer_staff(session, token)
        if staff.role not in READ_STATS:
            raise ApiError(403, "forbidden", "您的角色不能查看统计")
        try:
            period = period_of(request.query.get("year"), request.query.get("quarter"))
        except BadPeriod as error:
            raise ApiError(422, "invalid", str(error)) from None
        figures = await period_statistics(
            session, period, request.app[SETTINGS].tz, request.app[CLOCK].now()
        )
    return json_response(figures)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/stats", stats_view)
