"""Types every Passworks v2 schema shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, StringConstraints, WithJsonSchema

from walletservice.passkit.dates import check_date_in_range
from walletservice.services.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE, PageRequest


def _iso_utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$"),
                  Field(description="#rrggbb", examples=["#c51f1f"])]
ShortText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=1000)]

# Passworks writes times as "2014-09-24T17:41:27Z".
Timestamp = Annotated[
    dt.datetime,
    PlainSerializer(_iso_utc, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2014-09-24T17:41:27Z"]}),
]

def _utc_in_range(value: dt.datetime) -> dt.datetime:
    """Naive times are UTC (Passworks); the time must exist in UTC too: an offset
    can push 9999-12-31T23:59 past the last representable year."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    check_date_in_range(value)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:
        raise ValueError("the time is out of range once converted to UTC") from None


# A time sent by a client: ISO 8601, read as UTC when it has no zone.
InputTimestamp = Annotated[dt.datetime, AfterValidator(_utc_in_range)]

# PostgreSQL cannot store NUL in text, so it is refused at the door.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]

# Multipart file parts arrive as bytes; documented as binary strings.
UploadedFile = Annotated[bytes, WithJsonSchema({"type": "string", "format": "binary"})]


class ErrorObject(BaseModel):
    """An error as Passworks' documents show most: field (or object) -> message.
    "base" holds what concerns no one field (docs/passworks-errors.md)."""

    errors: dict[str, str] = Field(examples=[{"campaign": "Campaign not found."}])


class ErrorList(BaseModel):
    """An error as the documents show campaign state moves: a list of messages."""

    errors: list[str] = Field(examples=[["Can't resume from archived to publish"]])


class DeletedResponse(BaseModel):
    """A delete that succeeded answers with an empty error list (Passworks)."""

    errors: list[str] = Field(default_factory=list, max_length=0)


class PageQuery(BaseModel):
    page: int = Field(1, description="Page number, from 1; a number below 1 reads as 1.")
    per_page: int = Field(
        DEFAULT_PER_PAGE,
        description=f"Items per page, 1 to {MAX_PER_PAGE}; larger numbers read as {MAX_PER_PAGE}.",
    )

    def page_request(self) -> PageRequest:
        return PageRequest.clamped(self.page, self.per_page)
