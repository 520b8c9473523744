"""A campaign's remote form (v2/advanced-features.md)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from walletservice.api.schemas.campaigns import Barcode, Beacons, FieldValue, Locations


class FormField(BaseModel):
    key: str
    label: str | None = None
    value: Any = None
    behaviour: str


class RemoteFormFieldsResponse(BaseModel):
    fields: dict[str, FormField] = Field(description="Every field of the campaign, by key.")
    dynamic_fields_keys: list[str] = Field(description="The keys a form submits (behaviour dynamic).")
    static_fields_keys: list[str] = Field(description="The keys whose value the campaign fixes.")


class RemoteFormSubmission(BaseModel):
    """The dynamic fields' values at the top level (`{"name": "Kermit the Frog", "age": "61"}`),
    with optional beacons, locations (they replace the campaign's) and barcodes."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]}})
    __pydantic_extra__: dict[str, FieldValue]

    locations: Locations = None
    beacons: Beacons = None
    barcodes: Annotated[list[Barcode] | None, Field(max_length=4)] = Field(
        None, description="For a campaign whose code_type is per_pass: the first is the pass's barcode.")

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})
