"""Tables only. Rules live in walletservice.services."""

from walletservice.models.asset import Asset, AssetRendition
from walletservice.models.base import Base
from walletservice.models.campaign import Campaign, Template
from walletservice.models.certificate import SigningCertificate
from walletservice.models.dashboard import (
    DashboardAuditEntry,
    DashboardSignInAddressAttempts,
    DashboardSignInAttempts,
    DashboardUser,
)
from walletservice.models.device import (
    Device, DeviceLogClientWindow, DeviceLogDrops, DeviceLogEntry, Personalization, Registration,
)
from walletservice.models.download_pin import DownloadPinAttempts
from walletservice.models.event import CampaignDayCounter, EventDayCount, PassEvent, PublicEventRepeats, PublicEventWindow, WebhookDelivery
from walletservice.models.google_wallet import (
    GoogleCallbackNonce, GoogleIssuerAccount, GoogleWalletClass, GoogleWalletObject, GoogleWalletRetiredObject,
    GoogleWalletRetirement,
)
from walletservice.models.idempotency import IdempotencyKey
from walletservice.models.job import BackgroundJob
from walletservice.models.nfc_key import NfcKey
from walletservice.models.organization import ApiKey, Organization, OrganizationCounter
from walletservice.models.pass_ import Pass, PassBundle, PassRevision, PassTypeTagCounter
from walletservice.models.push import PushDelivery, PushRequest
from walletservice.models.rate_slot import RateSlot
from walletservice.models.redeem import Redeem
from walletservice.models.scheduling import Schedule, ScheduleRun, SchedulerLease
from walletservice.models.segment import Segment
from walletservice.models.worker import WorkerHeartbeat

__all__ = [
    "ApiKey", "Asset", "AssetRendition", "BackgroundJob", "Base", "Campaign", "CampaignDayCounter",
    "DashboardAuditEntry", "DashboardSignInAddressAttempts", "DashboardSignInAttempts", "DashboardUser", "Device",
    "DeviceLogClientWindow", "DeviceLogDrops", "DeviceLogEntry", "DownloadPinAttempts", "EventDayCount",
    "GoogleCallbackNonce", "GoogleIssuerAccount", "GoogleWalletClass", "GoogleWalletObject", "GoogleWalletRetiredObject",
    "GoogleWalletRetirement", "IdempotencyKey", "NfcKey", "Organization", "OrganizationCounter", "Pass", "PassBundle",
    "PassEvent", "PassRevision", "PassTypeTagCounter", "Personalization", "PublicEventRepeats", "PublicEventWindow",
    "PushDelivery", "PushRequest", "RateSlot", "Redeem", "Registration", "Schedule", "ScheduleRun", "SchedulerLease",
    "Segment", "SigningCertificate", "Template", "WebhookDelivery", "WorkerHeartbeat",
]
