"""Certificates (v2/certificates.md): the organization's own, and the platform's read-only."""

from __future__ import annotations

from flask import Response, current_app

from walletservice.api.schemas.certificates import (
    CertificateResponse,
    CertificateUploadForm,
    CertificateUploadJson,
)
from walletservice.api.schemas.common import PageQuery
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.services import organization_certificates as certificate_service
from walletservice.services.collection_filters import CollectionQuery

TAG = "Certificates"


@v2_api.route("GET", "/certificates", summary="List certificates", tag=TAG, query=PageQuery,
              filters=certificate_service.CERTIFICATE_FILTERS, paginated=True,
              responses={200: list[CertificateResponse]},
              description="The organization's own certificates and the platform's shared ones.")
def list_certificates(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
    return collection_response(
        certificate_service.certificates_visible_to(organization_id), certificate_service.CERTIFICATE_FILTERS,
        filters, query, lambda _session, rows: [CertificateResponse.build(row) for row in rows],
    )


@v2_api.route("GET", "/certificates/<uuid:certificate_id>", summary="Get a certificate", tag=TAG,
              responses={200: CertificateResponse})
def get_certificate(organization_id: str, certificate_id: str) -> Response:
    with transaction(write=False) as session:
        certificate = certificate_service.get_visible_certificate(session, organization_id, certificate_id)
        response = CertificateResponse.build(certificate)
    return json_response(response)


@v2_api.route(
    "POST", "/certificates", summary="Upload a Pass Type ID certificate", tag=TAG,
    json_body=CertificateUploadJson, form_body=CertificateUploadForm,
    responses={201: CertificateResponse, 200: CertificateResponse},
    description="A .p12 with its password, or a PEM certificate and key, plus Apple's WWDR "
                "certificate unless included. The pass type and team identifiers are read from the "
                "certificate. Expired certificates, certificates that are not Pass Type ID "
                "certificates, and a WWDR certificate that did not issue it are refused with 422. "
                "Uploading the same certificate again answers 200 with the stored one.",
)
def upload_certificate(organization_id: str, body: CertificateUploadJson | CertificateUploadForm) -> Response:
    files = body.certificate.files() if isinstance(body, CertificateUploadJson) else body.files()
    with transaction() as session:
        certificate, created = certificate_service.upload_certificate(
            session, organization_id, files, current_app.config["WALLET_SECRET_KEY"]
        )
        response = CertificateResponse.build(certificate)
    return json_response(response, 201 if created else 200)
