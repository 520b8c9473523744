"""/v1/ping, /v1/assets (v1/assets.md) and /v1/certificates (v1/certificates.md)."""

from __future__ import annotations

from flask import Response, request
from sqlalchemy.orm import Session

from walletservice.api.registry import Auth
from walletservice.api.schemas.assets import AssetUploadForm
from walletservice.api.schemas.common import DeletedResponse, ErrorObject, PageQuery
from walletservice.api.v1 import v1_api
from walletservice.api.v1.schemas import V1Asset, V1Certificate
from walletservice.api.v2.ping import PingResponse
from walletservice.api.v2.error_responses import error_response
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.models import Asset, Organization, SigningCertificate
from walletservice.passkit.images import MAX_IMAGE_BYTES
from walletservice.services import assets as asset_service
from walletservice.services import organization_certificates as certificate_service
from walletservice.services.collection_filters import CollectionQuery

MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES + 64 * 1024  # the image plus its multipart envelope


@v1_api.route("GET", "/ping", summary="Check the API (and the credentials, when sent)", tag="v1 ping",
              auth=Auth.OPTIONAL, responses={200: PingResponse})
def v1_ping(organization_id: str | None) -> Response:
    return json_response(PingResponse(authenticated=organization_id is not None))


def _asset_views(_session: Session, assets: list[Asset]) -> list[V1Asset]:
    return [V1Asset(id=asset.id, asset_type=asset.asset_type, created_at=asset.created_at) for asset in assets]


@v1_api.route("GET", "/assets", summary="List assets", tag="v1 assets", query=PageQuery,
              filters=asset_service.ASSET_FILTERS, paginated=True, responses={200: list[V1Asset]})
def v1_list_assets(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
    return collection_response(asset_service.assets_of(organization_id), asset_service.ASSET_FILTERS,
                               filters, query, _asset_views)


@v1_api.route("POST", "/assets", summary="Upload an asset", tag="v1 assets", form_body=AssetUploadForm,
              max_body_bytes=MAX_UPLOAD_BYTES, responses={201: V1Asset},
              description="multipart/form-data `asset[file]` and `asset[asset_type]`; stored as PNG.")
def v1_upload_asset(organization_id: str, body: AssetUploadForm) -> Response:
    upload = request.files.get("asset[file]")
    with transaction() as session:
        organization = session.get(Organization, organization_id)
        asset = asset_service.create_asset(session, organization, body.asset_type, body.file,
                                           original_filename=upload.filename if upload else None)
        [response] = _asset_views(session, [asset])
    return json_response(response, 201)


@v1_api.route("GET", "/assets/<uuid:asset_id>", summary="Get an asset", tag="v1 assets",
              responses={200: V1Asset})
def v1_get_asset(organization_id: str, asset_id: str) -> Response:
    with transaction(write=False) as session:
        [response] = _asset_views(session, [asset_service.get_asset(session, organization_id, asset_id)])
    return json_response(response)


@v1_api.route("DELETE", "/assets/<uuid:asset_id>", summary="Delete an unused asset", tag="v1 assets",
              responses={200: DeletedResponse, 412: ErrorObject},
              description="412 while a campaign or a pass shows the asset.")
def v1_delete_asset(organization_id: str, asset_id: str) -> Response:
    with transaction() as session:
        asset_service.delete_asset(session, organization_id, asset_id)
    return json_response(DeletedResponse())


def _certificate_views(_session: Session, rows: list[SigningCertificate]) -> list[V1Certificate]:
    views = []
    for certificate in rows:
        status = certificate_service.certificate_status(certificate)
        views.append(V1Certificate(
            id=certificate.id, team_identifier=certificate.team_identifier,
            pass_type_identifier=certificate.pass_type_identifier, issued_to=status.issued_to,
            expires_at=certificate.not_after,
        ))
    return views


@v1_api.route("GET", "/certificates", summary="List certificates", tag="v1 certificates", query=PageQuery,
              filters=certificate_service.CERTIFICATE_FILTERS, paginated=True,
              responses={200: list[V1Certificate]},
              description="The organization's own certificates and the platform's shared ones.")
def v1_list_certificates(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
    return collection_response(certificate_service.certificates_visible_to(organization_id),
                               certificate_service.CERTIFICATE_FILTERS, filters, query, _certificate_views)


@v1_api.route("POST", "/certificates", summary="Not in v1: upload with POST /v2/certificates",
              tag="v1 certificates", responses={405: ErrorObject},
              description="v1/certificates.md: certificates are not created through the v1 API.")
def v1_upload_certificate(organization_id: str) -> Response:
    return error_response(405, {"method": "v1 does not create certificates (v1/certificates.md); "
                                          "upload one with POST /v2/certificates"}, {"Allow": "GET"})
