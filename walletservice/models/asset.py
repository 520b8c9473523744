"""Images: an uploaded asset and its PNG renditions at @1x, @2x and @3x."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from walletservice.models.base import Base, new_uuid, utcnow


class Asset(Base):
    __tablename__ = "assets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    asset_type: Mapped[str] = mapped_column(String(16))
    original_filename: Mapped[str | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    renditions: Mapped[list[AssetRendition]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetRendition.file_name"
    )


class AssetRendition(Base):
    """One file of the bundle, e.g. `logo@2x.png`. Immutable once written."""

    __tablename__ = "asset_renditions"

    asset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    file_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    asset: Mapped[Asset] = relationship(back_populates="renditions")
