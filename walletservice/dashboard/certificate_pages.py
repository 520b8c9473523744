"""The dashboard's certificates page (docs/dashboard.md, "Certificates"): the
organization's signing certificates and their expiry, and the upload of a .p12 (owners
only; audited). The upload is checked by the v2 API's own service, so the page refuses
exactly what the API refuses; the password and the key are never logged or audited."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from walletservice.dashboard import access
from walletservice.dashboard.routes import dashboard_blueprint
from walletservice.db import transaction
from walletservice.errors import InvalidInput
from walletservice.models import SigningCertificate
from walletservice.models.base import utcnow
from walletservice.services.audit_log import record_change
from walletservice.services.dashboard_certificates import organization_certificates
from walletservice.services.organization_certificates import CertificateFiles, upload_certificate


@dashboard_blueprint.get("/certificates")
def certificates_page() -> str:
    return _page()


@dashboard_blueprint.post("/certificates")
def upload_p12() -> Any:
    access.require_owner("upload certificates")
    user = access.current_user()
    files = CertificateFiles(p12=_uploaded("p12") or None, password=request.form.get("password") or None,
                             wwdr_certificate=_uploaded("wwdr_certificate"))
    if files.p12 is None:
        return _page(error="Choose a .p12 file to upload."), 422
    try:
        with transaction() as session:
            certificate, created = upload_certificate(session, user.organization_id, files,
                                                      current_app.config["WALLET_SECRET_KEY"])
            if created:
                record_change(session, user, "certificate.upload", "certificate", certificate.id,
                              None, _audited(certificate))
    except InvalidInput as refused:  # rolled back: nothing stored, nothing audited
        return _page(error=f"The certificate was not stored: {refused.message}."), 422
    notice = "Certificate stored." if created else "This certificate was stored already."
    return _page(notice=notice), 201 if created else 200


def _uploaded(field: str) -> bytes | None:
    upload = request.files.get(field)
    return upload.read() if upload is not None and upload.filename else None


def _audited(certificate: SigningCertificate) -> dict[str, str]:
    """What identifies the certificate; never its key."""
    return {"pass_type_identifier": certificate.pass_type_identifier,
            "team_identifier": certificate.team_identifier,
            "not_after": certificate.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fingerprint_sha256": certificate.fingerprint_sha256}


def _page(error: str | None = None, notice: str | None = None) -> str:
    warning_days = current_app.config["WALLET_CERTIFICATE_WARNING_DAYS"]
    with transaction(write=False) as session:
        rows = organization_certificates(session, access.current_user().organization_id, utcnow(), warning_days)
        return render_template("dashboard/certificates.html", rows=rows, warning_days=warning_days,
                               error=error, notice=notice,
                               max_upload_bytes=current_app.config["MAX_CONTENT_LENGTH"])


@dashboard_blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(refused: RequestEntityTooLarge) -> Any:
    """A body over WALLET_MAX_REQUEST_BYTES is refused before any view reads it (the CSRF
    check reads the form first): the certificates page says so in words."""
    if request.endpoint != "dashboard.upload_p12" or g.get("dashboard_user") is None:
        return refused
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return _page(error=f"The file is too large: uploads are limited to {limit // 1024} KiB."), 413
