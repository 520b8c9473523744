"""The figures of the dashboard's overview page, for one organization (Flask-free;
docs/dashboard.md defines each one).

Event counts come from services.reports (the same daily roll-up the /v2 reports read), so
the overview and the reports always agree; "passes on a device" is a counter kept by
triggers. Every other query is scoped by an indexed column: passes by (organization_id,
created_at), webhook deliveries, push requests and certificates by organization_id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from walletservice.models import (
    OrganizationCounter, Pass, PushDelivery, PushRequest, SigningCertificate, WebhookDelivery,
)
from walletservice.services.reports import DateRange, organization_daily_report

WINDOW_DAYS = 30
# Chart series -> the reports counter it draws.
CHART_SERIES = {"installs": "installs_count", "uninstalls": "uninstalls_count",
                "updates": "updates_count", "pushes": "pushes_count"}


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    value: int
    definition: str


@dataclass(frozen=True)
class Overview:
    figures: list[Figure]
    days: list[str]
    series: dict[str, list[int]]  # CHART_SERIES name -> one value per day

    def figure(self, name: str) -> int:
        return next(figure.value for figure in self.figures if figure.name == name)


def last_days(today: dt.date, count: int = WINDOW_DAYS) -> DateRange:
    return DateRange(today - dt.timedelta(days=count - 1), today)


def overview(session: Session, organization_id: str, now: dt.datetime, certificate_warning_days: int) -> Overview:
    window = last_days(now.date())
    report = organization_daily_report(session, organization_id, window)
    since = dt.datetime.combine(window.start, dt.time.min, tzinfo=dt.timezone.utc)

    def window_total(counter: str) -> int:
        return sum(day[counter] for day in report.values())

    figures = [
        Figure("passes_issued", "Passes issued", _passes_issued(session, organization_id),
               "Passes created in this organization and not deleted, all time."),
        Figure("passes_with_devices", "Passes on a device", _passes_with_devices(session, organization_id),
               "Passes registered on at least one device now (Wallet registered it for updates)."),
        Figure("installs", f"Installs, {WINDOW_DAYS} days", window_total("installs_count"),
               "First registrations of a device for a pass; a device registering again is not counted twice."),
        Figure("uninstalls", f"Uninstalls, {WINDOW_DAYS} days", window_total("uninstalls_count"),
               "Devices that unregistered a pass (removed it from Wallet), or whose token APNs reported gone."),
        Figure("pushes_sent", f"Pushes sent, {WINDOW_DAYS} days", window_total("pushes_count"),
               "Push notifications APNs accepted (one per device and pass type), as in the reports' pushes_count."),
        Figure("pushes_failed", f"Pushes failed, {WINDOW_DAYS} days", _pushes_failed(session, organization_id, since),
               "Push notifications recorded as failed: refused by APNs, or still failing after every retry."),
        Figure("webhook_failures", f"Webhook failures, {WINDOW_DAYS} days",
               _webhook_failures(session, organization_id, since),
               "Webhook deliveries recorded as failed after every retry (the receiver never answered 2xx)."),
        Figure("certificates_expiring", "Certificates expiring",
               _certificates_expiring(session, organization_id, now + dt.timedelta(days=certificate_warning_days)),
               f"This organization's signing certificates expired or expiring within {certificate_warning_days} days."),
    ]
    series = {name: [day[counter] for day in report.values()] for name, counter in CHART_SERIES.items()}
    return Overview(figures, list(report), series)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _passes_issued(session: Session, organization_id: str) -> int:
    return _count(session, select(func.count()).select_from(Pass).where(Pass.organization_id == organization_id))


def _passes_with_devices(session: Session, organization_id: str) -> int:
    # Kept by triggers on registrations and passes (models.OrganizationCounter): counting
    # them here was a semi-join over every pass of the organization (docs/dashboard.md).
    return _count(session, select(OrganizationCounter.passes_with_devices)
                  .where(OrganizationCounter.organization_id == organization_id))


def _pushes_failed(session: Session, organization_id: str, since: dt.datetime) -> int:
    return _count(session, select(func.count()).select_from(PushDelivery)
                  .join(PushRequest, PushRequest.id == PushDelivery.push_request_id)
                  .where(PushRequest.organization_id == organization_id, PushRequest.created_at >= since,
                         PushDelivery.state == "failed"))


def _webhook_failures(session: Session, organization_id: str, since: dt.datetime) -> int:
    return _count(session, select(func.count()).select_from(WebhookDelivery)
                  .where(WebhookDelivery.organization_id == organization_id, WebhookDelivery.state == "failed",
                         WebhookDelivery.created_at >= since))


def _certificates_expiring(session: Session, organization_id: str, before: dt.datetime) -> int:
    return _count(session, select(func.count()).select_from(SigningCertificate)
                  .where(SigningCertificate.organization_id == organization_id,
                         SigningCertificate.not_after <= before))
