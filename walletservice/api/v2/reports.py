"""Campaign reports: /v2/{type}/{campaign_id}/reports and /reports/totals (v2/reports.md)."""

from __future__ import annotations


from flask import Response

from walletservice.api.schemas.reports import PeriodReport, ReportQuery, TotalsReport
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response
from walletservice.db import transaction
from walletservice.services import campaigns as campaign_service
from walletservice.services import reports as report_service
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

COUNTING = ("Counts pass events per UTC day. api_calls_count: answered v1/v2 calls on the campaign or its "
            "passes; distribution_updates_count: changes of the campaign's download page (created, updated, "
            "paused, resumed, archived).")


def register_report_routes(segment: str, style: str) -> None:
    tag = f"Reports: {segment}"
    base = f"/{segment}/<uuid:campaign_id>/reports"

    def campaign_report(organization_id: str, campaign_id: str, query: ReportQuery) -> Response:
        days = report_service.report_range(query.start_date, query.end_date)
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            report = report_service.daily_report(session, campaign.id, days)
        return json_response(PeriodReport.model_validate({
            "campaign_id": campaign_id, "start_date": days.start, "end_date": days.end, "report": report}))

    def campaign_totals(organization_id: str, campaign_id: str) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            report = report_service.totals_report(session, campaign.id)
        return json_response(TotalsReport.model_validate({"campaign_id": campaign_id, "report": report}))

    v2_api.route("GET", base, summary=f"Daily report of a campaign ({segment})", tag=tag, query=ReportQuery,
                 responses={200: PeriodReport},
                 description=f"{COUNTING} 422 for a date not written YYYY-MM-DD, an end before the start "
                             f"or more than {report_service.MAX_REPORT_DAYS} days.",
                 endpoint=f"campaign_report_{segment}")(campaign_report)
    v2_api.route("GET", f"{base}/totals", summary=f"Totals of a campaign since it began ({segment})", tag=tag,
                 responses={200: TotalsReport}, description=COUNTING, endpoint=f"campaign_totals_{segment}")(campaign_totals)


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_report_routes(_segment, _style)
