"""Templates (v2/templates.md): bodies and responses."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from walletservice.api.schemas.campaigns import Barcode, BarcodeView, Color, ShortText, TransitType
from walletservice.api.schemas.common import Timestamp
from walletservice.services.templates import DEFAULT_BARCODE_FORMAT, SOURCE_KEY

PassType = Literal["boardingPass", "coupon", "eventTicket", "storeCard", "generic"]


class TemplateCreate(BaseModel):
    name: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=255)] = Field(
        description="Unique in the organization.")
    description: ShortText | None = None
    pass_type: PassType
    transit_type: TransitType | None = Field(None, description="Required for boardingPass, refused otherwise.")
    icon_id: uuid.UUID
    logo_id: uuid.UUID | None = None
    strip_id: uuid.UUID | None = None
    thumbnail_id: uuid.UUID | None = None
    logo_text: ShortText | None = None
    background_color: Color | None = None
    text_color: Color | None = None
    label_color: Color | None = None
    barcode: Barcode | None = None


class TemplateBody(BaseModel):
    template: TemplateCreate


class TemplateDeleteOptions(BaseModel):
    delete_assets: bool = Field(
        False, description="Also delete the template's images, if none of them is used anywhere else.")


class TemplateDeleteBody(BaseModel):
    """Optional: `{"template": {"delete_assets": "true"}}`."""

    model_config = ConfigDict(populate_by_name=True)

    template: TemplateDeleteOptions = Field(default_factory=TemplateDeleteOptions)


class TemplateBarcodeView(BarcodeView):
    """A campaign's barcode view (alt_text_type as templates.md shows it), without the encoding
    a template does not keep."""

    encoding: None = Field(None, exclude=True)


class TemplateResponse(BaseModel):
    id: str
    name: str
    description: str | None = None
    pass_type: str
    transit_type: str | None = None
    logo_text: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    label_color: str | None = None
    barcode: TemplateBarcodeView
    source: str = Field(description="api (POST /v2/templates) or campaign (generated from one).")
    icon_id: str | None = None
    logo_id: str | None = None
    strip_id: str | None = None
    thumbnail_id: str | None = None
    created_at: Timestamp

    @classmethod
    def build(cls, template: Any) -> TemplateResponse:
        attributes = dict(template.attributes)
        barcode = attributes.pop("barcode", None) or {}
        return cls.model_validate({
            **attributes, "id": template.id, "name": template.name, "description": template.description,
            "pass_type": template.style, "source": attributes.get(SOURCE_KEY, "api"),
            "created_at": template.created_at,
            "barcode": {"format": barcode.get("format", DEFAULT_BARCODE_FORMAT),
                        "message": barcode.get("message", ""), "alt_text": barcode.get("alt_text", "")},
        })
