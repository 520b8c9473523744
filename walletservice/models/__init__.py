"""Tables only. Rules live in walletservice.services."""

from walletservice.models.asset import Asset, AssetRendition
from walletservice.models.base import Base
from walletservice.models.campaign import Campaign
from walletservice.models.certificate import SigningCertificate
from walletservice.models.device import Device, DeviceLogEntry, Personalization, Registration
from walletservice.models.organization import ApiKey, Organization
from walletservice.models.pass_ import Pass, PassBundle, PassTypeTagCounter
from walletservice.models.push import PushDelivery, PushRequest
from walletservice.models.scheduling import SchedulerLease

__all__ = [
    "ApiKey", "Asset", "AssetRendition", "Base", "Campaign", "Device", "DeviceLogEntry",
    "Organization", "Pass", "PassBundle", "PassTypeTagCounter", "Personalization", "PushDelivery", "PushRequest",
    "SchedulerLease",
    "Registration", "SigningCertificate",
]
