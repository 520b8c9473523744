"""Assets (v2/assets.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from walletservice.api.schemas.common import Timestamp, UploadedFile
from walletservice.models import Asset

AssetType = Literal["icon", "logo", "strip", "thumbnail", "background", "footer", "primaryLogo",
                    "artwork", "secondaryLogo"]
# Sizes that depend on the pass: strips by style, the poster generic's 345 x 505 background.
AssetStyle = Literal["eventTicket", "coupon", "storeCard", "generic", "boardingPass", "posterGeneric"]


class AssetUploadForm(BaseModel):
    """multipart/form-data: `asset[file]` and `asset[asset_type]`."""

    model_config = ConfigDict(populate_by_name=True)

    file: UploadedFile = Field(
        alias="asset[file]",
        description="A PNG, JPEG, GIF, WebP or BMP of at most 1 MB; stored as PNG at @1x, @2x and @3x.",
    )
    asset_type: AssetType = Field(alias="asset[asset_type]")
    style: AssetStyle | None = Field(
        None, alias="asset[style]", description="The pass style the image is for: a strip's height depends on it, "
        "and posterGeneric renders a background at the poster's 345 x 505 points (else 180 x 220).")


class AssetFile(BaseModel):
    file_name: str = Field(examples=["logo@2x.png"])
    url: str


class AssetResponse(BaseModel):
    id: str
    asset_type: AssetType
    asset_url: str = Field(description="The largest (@3x) PNG rendition.")
    created_at: Timestamp
    renditions: list[AssetFile] = Field(description="Every PNG rendition, @1x first.")

    @classmethod
    def build(cls, asset: Asset, file_names: list[str], file_url: str) -> AssetResponse:
        """file_url: the asset's base URL; file names are appended to it."""
        files = [AssetFile(file_name=name, url=f"{file_url}/{name}") for name in file_names]
        return cls(
            id=asset.id, asset_type=asset.asset_type,  # type: ignore[arg-type]
            asset_url=files[-1].url if files else file_url,
            created_at=asset.created_at, renditions=files,
        )
