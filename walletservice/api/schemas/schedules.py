"""Schedules of a campaign or of one pass: `{"schedule": {...}}` bodies and responses.

`changes` are validated by the very models the PATCH routes use (CampaignChanges,
PassAttributes), except that unknown attributes are refused instead of ignored:
a misspelt attribute in a schedule would otherwise be noticed only when it fires.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from walletservice.api.schemas.campaigns import CampaignChanges, ShortText
from walletservice.api.schemas.common import Timestamp
from walletservice.api.schemas.passes import PassAttributes

# PassAttributes options of the PATCH request itself, not changes of the pass.
PASS_REQUEST_OPTIONS = ("merge", "push", "push_message", "redeem_code")

CronText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=128)]
ZoneName = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=64)]


def _without_request_options(schema: dict[str, Any]) -> None:
    for name in PASS_REQUEST_OPTIONS:
        schema.get("properties", {}).pop(name, None)


class PassScheduleChanges(PassAttributes):
    """What a pass PATCH may change: field values, barcode, images, dates, relevance, voided."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_request_options)

    @model_validator(mode="before")
    @classmethod
    def _refuse_request_options(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [name for name in PASS_REQUEST_OPTIONS if name in data]
            if given:
                raise ValueError(f"{', '.join(given)}: not a change of the pass (push_message belongs "
                                 "next to changes; a schedule always merges and pushes)")
        return data


class CampaignScheduleChanges(CampaignChanges):
    """What a campaign PATCH may change."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ScheduleTiming(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_at: dt.datetime | None = Field(
        None, description="One-shot: ISO 8601 with a UTC offset or Z, in the future.",
        examples=["2030-05-01T09:00:00+02:00"])
    cron: CronText | None = Field(
        None, description="Recurring: 5-field crontab (minute hour day-of-month month day-of-week; "
                          "0 and 7 are Sunday), read in `timezone`.", examples=["0 0 * * *"])
    timezone: ZoneName | None = Field(
        None, description="IANA time zone of cron, e.g. Europe/Berlin. Across DST a skipped local time "
                          "fires when the clock jumps, a repeated one once (the first).")
    push_message: ShortText | None = Field(
        None, description="Shown on the lock screen when the update reaches the device.")


class PassSchedule(ScheduleTiming):
    changes: PassScheduleChanges = Field(default_factory=PassScheduleChanges)


class CampaignSchedule(ScheduleTiming):
    changes: CampaignScheduleChanges = Field(default_factory=CampaignScheduleChanges)
    merge: bool = Field(False, description="Then rewrite every pass from the campaign, as the merge "
                                           "route does (needed for passes to show campaign changes).")


class PassScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: PassSchedule


class CampaignScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: CampaignSchedule


class ScheduleRunView(BaseModel):
    due_at: Timestamp
    outcome: str = Field(description="done, failed or missed (due too long before a scheduler ran).")
    started_at: Timestamp
    finished_at: Timestamp | None = None
    push_id: str | None = None
    error: str | None = None


class ScheduleResponse(BaseModel):
    id: str
    campaign_id: str
    pass_id: str | None = Field(None, description="Null for a campaign schedule.")
    state: str = Field(description="scheduled, done, failed, missed or cancelled; recurring "
                                   "schedules return to scheduled after each run.")
    run_at: Timestamp | None = None
    cron: str | None = None
    timezone: str | None = None
    changes: dict[str, Any]
    push_message: str | None = None
    merge: bool
    origin: str | None = Field(None, description="relevant_date: made by the service for the campaign's "
                                                 "relevant_date; null: made through the API.")
    next_run_at: Timestamp | None = None
    last_run_at: Timestamp | None = None
    last_result: dict[str, Any] | None = Field(
        None, description="outcome, due_at, ran_at and push_id (or job_id for a merge) or error.")
    last_push_id: str | None = Field(None, description="Follow it at GET /v2/pushes/{push_id}.")
    runs: list[ScheduleRunView] = Field(description="The latest runs, newest first.")
    created_at: Timestamp
    updated_at: Timestamp
