"""Certificates (v2/certificates.md), plus uploading one, which Passworks lacked."""

from __future__ import annotations

import datetime as dt

from pydantic import Base64Bytes, BaseModel, ConfigDict, Field

from walletservice.api.schemas.common import Text, Timestamp, UploadedFile
from walletservice.models import SigningCertificate
from walletservice.models.base import utcnow
from walletservice.services.organization_certificates import CertificateFiles, certificate_status

_P12 = "A PKCS#12 (.p12) export of the Pass Type ID certificate with its private key."
_PEM = "The Pass Type ID certificate in PEM; the WWDR certificate may follow it."
_KEY = "Its private key in PEM (may be encrypted: give password)."
_WWDR = ("Apple's WWDR intermediate (G4 for certificates issued since 2022), PEM or DER. "
         "Optional when the .p12 or the PEM chain contains it.")


class CertificateUploadFields(BaseModel):
    p12: Base64Bytes | None = Field(None, description=_P12 + " Base64.")
    password: Text | None = Field(None, description="Password of the .p12 or of the private key.")
    certificate: Text | None = Field(None, description=_PEM)
    private_key: Text | None = Field(None, description=_KEY)
    wwdr_certificate: Text | None = Field(None, description=_WWDR.replace("PEM or DER", "PEM"))

    def files(self) -> CertificateFiles:
        return CertificateFiles(
            p12=self.p12, password=self.password,
            certificate_pem=_encoded(self.certificate), private_key_pem=_encoded(self.private_key),
            wwdr_certificate=_encoded(self.wwdr_certificate),
        )


class CertificateUploadJson(BaseModel):
    """JSON: `{"certificate": {"p12": base64, "password": ...}}` or PEM text fields."""

    certificate: CertificateUploadFields


class CertificateUploadForm(BaseModel):
    """multipart/form-data: `certificate[p12]` + `certificate[password]`, or
    `certificate[certificate]` + `certificate[private_key]`; `certificate[wwdr_certificate]`."""

    model_config = ConfigDict(populate_by_name=True)

    p12: UploadedFile | None = Field(None, alias="certificate[p12]", description=_P12)
    password: Text | None = Field(None, alias="certificate[password]")
    certificate: UploadedFile | None = Field(None, alias="certificate[certificate]", description=_PEM)
    private_key: UploadedFile | None = Field(None, alias="certificate[private_key]", description=_KEY)
    wwdr_certificate: UploadedFile | None = Field(None, alias="certificate[wwdr_certificate]", description=_WWDR)

    def files(self) -> CertificateFiles:
        return CertificateFiles(
            p12=self.p12, password=self.password, certificate_pem=self.certificate,
            private_key_pem=self.private_key, wwdr_certificate=self.wwdr_certificate,
        )


def _encoded(text: str | None) -> bytes | None:
    return text.encode("utf-8") if text is not None else None


class CertificateResponse(BaseModel):
    id: str
    team_identifier: str
    pass_type_identifier: str
    issued_to: str | None = Field(description="The subject's organization (O), else its common name.")
    expires_at: Timestamp
    expires_soon: bool = Field(description="Expired, or expires within 30 days.")
    days_to_expiry: int = Field(description="Whole days left before it expires; negative once expired.")
    expired: bool
    shared: bool = Field(description="A platform certificate every organization may use (read-only).")

    @classmethod
    def build(cls, certificate: SigningCertificate) -> CertificateResponse:
        status = certificate_status(certificate)
        return cls(
            id=certificate.id, team_identifier=certificate.team_identifier,
            pass_type_identifier=certificate.pass_type_identifier, issued_to=status.issued_to,
            expires_at=certificate.not_after, expires_soon=status.expires_soon, expired=status.expired,
            days_to_expiry=(certificate.not_after - utcnow()) // dt.timedelta(days=1),
            shared=certificate.organization_id is None,
        )
