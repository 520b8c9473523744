"""Assets (v2/assets.md): images uploaded once, used by campaigns and passes."""

from __future__ import annotations

import re

from flask import Response, request
from sqlalchemy.orm import Session

from walletservice.api.schemas.assets import AssetResponse, AssetUploadForm
from walletservice.api.schemas.common import DeletedResponse, ErrorObject, PageQuery
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response, public_url
from walletservice.db import transaction
from walletservice.errors import NotFound
from walletservice.models import Asset, Organization
from walletservice.passkit.images import MAX_IMAGE_BYTES
from walletservice.services import assets as asset_service
from walletservice.services.collection_filters import CollectionQuery

TAG = "Assets"
# The image may be 1 MB; the multipart envelope around it needs a little more.
MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES + 64 * 1024
_FILE_NAME = re.compile(r"^[A-Za-z]{1,32}(@[23]x)?\.png$")


def _responses(session: Session, assets: list[Asset]) -> list[AssetResponse]:
    names = asset_service.rendition_names(session, [asset.id for asset in assets])
    return [AssetResponse.build(asset, names[asset.id], public_url(f"/v2/assets/{asset.id}")) for asset in assets]


@v2_api.route("GET", "/assets", summary="List assets", tag=TAG, query=PageQuery,
              filters=asset_service.ASSET_FILTERS, paginated=True, responses={200: list[AssetResponse]})
def list_assets(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
    return collection_response(
        asset_service.assets_of(organization_id), asset_service.ASSET_FILTERS, filters, query, _responses
    )


@v2_api.route("POST", "/assets", summary="Upload an asset", tag=TAG, form_body=AssetUploadForm,
              max_body_bytes=MAX_UPLOAD_BYTES, responses={201: AssetResponse},
              description="Any common image up to 1 MB, converted to PNG at Apple's @1x, @2x and @3x sizes.")
def upload_asset(organization_id: str, body: AssetUploadForm) -> Response:
    upload = request.files.get("asset[file]")
    with transaction() as session:
        organization = session.get(Organization, organization_id)
        asset = asset_service.create_asset(
            session, organization, body.asset_type, body.file,  # type: ignore[arg-type]
            original_filename=upload.filename if upload else None, style=body.style,
        )
        [response] = _responses(session, [asset])
    return json_response(response, 201)


@v2_api.route("GET", "/assets/<uuid:asset_id>", summary="Get an asset", tag=TAG,
              responses={200: AssetResponse})
def get_asset(organization_id: str, asset_id: str) -> Response:
    with transaction(write=False) as session:
        [response] = _responses(session, [asset_service.get_asset(session, organization_id, asset_id)])
    return json_response(response)


@v2_api.route("GET", "/assets/<uuid:asset_id>/<file_name>", summary="Download one PNG rendition",
              tag=TAG, responses={200: None}, response_media_type="image/png")
def get_asset_file(organization_id: str, asset_id: str, file_name: str) -> Response:
    if not _FILE_NAME.match(file_name):
        raise NotFound("asset file not found")
    with transaction(write=False) as session:
        content = asset_service.get_rendition(session, organization_id, asset_id, file_name).content
    response = Response(content, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"  # renditions never change
    return response


@v2_api.route("DELETE", "/assets/<uuid:asset_id>", summary="Delete an unused asset", tag=TAG,
              responses={200: DeletedResponse, 412: ErrorObject},
              description="Refused with 412 while a campaign design or a pass shows the asset.")
def delete_asset(organization_id: str, asset_id: str) -> Response:
    with transaction() as session:
        asset_service.delete_asset(session, organization_id, asset_id)
    return json_response(DeletedResponse())
