"""Images a Passcreator v3 data object asks for by URL: `urlToLogo`, `urlToThumbnail`,
`urlToBackground` and `localizedBackgroundImages` ({language: URL}).

Reading checks the URLs against the fetch policy and the template's style (no network);
fetching downloads each distinct URL once and stores it as an asset. A pass keeps the
assets in its values: `images` ({role: asset_id}) and `localized_images`
({language: {role: asset_id}}), which the bundle turns into `<language>.lproj/<role>.png`
(services.pass_content.bundle_image_assets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from walletservice.errors import BadRequest, InvalidInput
from walletservice.models import Campaign, Organization
from walletservice.passkit.package_files import ALLOWED_IMAGES, LOCALE_NAME
from walletservice.services.assets import create_asset
from walletservice.services.passcreator.image_fetch import FetchPolicy, check_image_url, fetch_image
from walletservice.services.pass_content import LOCALIZED_IMAGES

IMAGE_URLS = {"urlToThumbnail": "thumbnail", "urlToBackground": "background", "urlToLogo": "logo"}
LOCALIZED_BACKGROUNDS = "localizedBackgroundImages"
# Each language is one fetch (up to the fetch timeout) and one asset; Wallet knows about 40 languages.
MAX_LOCALIZED_LANGUAGES = 50

__all__ = ["IMAGE_URLS", "LOCALIZED_BACKGROUNDS", "LOCALIZED_IMAGES", "FetchedImages", "ImageUrls",
           "fetch_image_urls", "read_image_urls"]


@dataclass
class ImageUrls:
    """The image URLs of a data object, checked but not fetched yet."""

    by_role: dict[str, str] = field(default_factory=dict)
    localized: dict[str, dict[str, str]] = field(default_factory=dict)  # {language: {role: url}}
    # "" or null for a language: PATCH removes that language's images.
    removed_languages: set[str] = field(default_factory=set)
    # localizedBackgroundImages null or {}: PATCH removes every language's images.
    removes_all_localized: bool = False

    def localized_urls_given(self) -> dict[str, str]:
        """{language: background URL} as Pass.extra keeps it for the list view."""
        return {language: roles["background"] for language, roles in self.localized.items()}


@dataclass(frozen=True)
class FetchedImages:
    """Asset ids of the fetched images."""

    by_role: dict[str, str] = field(default_factory=dict)
    localized: dict[str, dict[str, str]] = field(default_factory=dict)


def read_image_urls(data: Mapping[str, Any], policy: FetchPolicy, campaign: Campaign | None) -> ImageUrls:
    """BadRequest naming the key for a URL the policy refuses, a bad language code, or an
    image the template's style does not show. campaign=None (bulk, before the templates
    are known) skips the style check."""
    urls = ImageUrls()
    for name, role in IMAGE_URLS.items():
        if data.get(name):
            urls.by_role[role] = check_image_url(data[name], policy, name)
            _check_template_shows(campaign, role, name)
    if LOCALIZED_BACKGROUNDS in data:
        _read_localized_backgrounds(data[LOCALIZED_BACKGROUNDS], policy, urls)
        if urls.localized:
            _check_template_shows(campaign, "background", LOCALIZED_BACKGROUNDS)
    return urls


def _read_localized_backgrounds(given: Any, policy: FetchPolicy, urls: ImageUrls) -> None:
    if given is None or given == {}:
        urls.removes_all_localized = True
        return
    if not isinstance(given, Mapping):
        raise BadRequest(f"{LOCALIZED_BACKGROUNDS} must be an object: language code -> image URL")
    if len(given) > MAX_LOCALIZED_LANGUAGES:
        raise BadRequest(f"{LOCALIZED_BACKGROUNDS}: at most {MAX_LOCALIZED_LANGUAGES} languages")
    for language, url in given.items():
        check_language_code(language, LOCALIZED_BACKGROUNDS)
        if url is None or url == "":
            urls.removed_languages.add(language)
        else:
            urls.localized[language] = {"background": check_image_url(
                url, policy, f"{LOCALIZED_BACKGROUNDS}.{language}")}


def check_language_code(language: Any, name: str) -> None:
    """BadRequest naming the key unless language can name a `<language>.lproj` folder of
    the bundle (passkit's LOCALE_NAME), which the builder would refuse on every fetch."""
    if not isinstance(language, str) or not LOCALE_NAME.match(language):
        raise BadRequest(f"{name}: {language!r} is not a language code such as en, de or zh-Hans")


def _check_template_shows(campaign: Campaign | None, role: str, name: str) -> None:
    """Refuse before fetching what the pass would refuse after (passkit.package_files)."""
    if campaign is None:
        return
    allowed = ALLOWED_IMAGES.get(campaign.style)
    if allowed is not None and role not in allowed:
        raise BadRequest(f"{name}: a {campaign.style} pass shows no {role} image "
                         f"(it may have {', '.join(allowed)})")
    template_images = (campaign.design or {}).get("images") or {}
    # Apple: an event ticket has a strip image or background/thumbnail images, not both.
    if campaign.style == "eventTicket" and role in ("background", "thumbnail") and template_images.get("strip"):
        raise BadRequest(f"{name}: the template has a strip image, and an eventTicket shows either a strip "
                         "or background/thumbnail images")


def fetch_image_urls(session: Session, organization_id: str, urls: ImageUrls, policy: FetchPolicy,
                     style: str) -> FetchedImages:
    """Fetch each distinct URL once and store it as an asset of its role."""
    if not urls.by_role and not urls.localized:
        return FetchedImages()
    organization = session.get(Organization, organization_id)
    assets: dict[tuple[str, str], str] = {}

    def asset_for(role: str, url: str, name: str) -> str:
        if (role, url) not in assets:
            data = fetch_image(url, policy, name)
            try:
                assets[(role, url)] = create_asset(session, organization, role, data, style=style).id
            except InvalidInput as exc:
                raise BadRequest(f"{name}: {exc.message}") from None
        return assets[(role, url)]

    by_role = {role: asset_for(role, url, _key_of(role)) for role, url in urls.by_role.items()}
    localized = {
        language: {role: asset_for(role, url, f"{LOCALIZED_BACKGROUNDS}.{language}") for role, url in roles.items()}
        for language, roles in urls.localized.items()
    }
    return FetchedImages(by_role, localized)


def _key_of(role: str) -> str:
    return next(name for name, named_role in IMAGE_URLS.items() if named_role == role)
