"""Images of upcoming events, which Wallet downloads by URL: our asset renditions at
immutable, content-addressed URLs (web.hosted_images serves them).

A design names an image `{"asset_id": ...}` (passkit.upcoming_events); when the pass is
built each rendition becomes Apple's ImageURLEntry: the URL ends in the SHA-256 of its
bytes, so a URL never serves other bytes and can be cached for ever.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from walletservice.passkit.upcoming_events import KEY, image_url_entries, with_hosted_images

HOSTED_IMAGE_PATH = "/assets/{asset_id}/{sha256}.png"
# Stands in for the real URLs while a pass is only checked (services.passes.check_content):
# the renditions are ours, so their sizes are within Apple's limit.
_PLACEHOLDER = {"URL": "https://validation.invalid/image.png", "SHA256": "0" * 64, "scale": 1, "size": 1}

RenditionFiles = Callable[[str], Mapping[str, bytes]]


def hosted_image_url(base_url: str, asset_id: str, sha256: str) -> str:
    return base_url + HOSTED_IMAGE_PATH.format(asset_id=asset_id, sha256=sha256)


def with_hosted_upcoming_images(content: Mapping[str, Any], base_url: str,
                                files_of: RenditionFiles) -> Mapping[str, Any]:
    """The content with each upcoming event's asset images as URL entries under base_url."""
    if KEY not in content:
        return content

    def image_urls(asset_id: str) -> list[dict[str, Any]]:
        return image_url_entries(files_of(asset_id), lambda digest: hosted_image_url(base_url, asset_id, digest))

    return {**content, KEY: with_hosted_images(content[KEY], image_urls)}


def with_placeholder_upcoming_images(content: Mapping[str, Any]) -> Mapping[str, Any]:
    """For checking a pass before it is built: asset images as one well-formed URL entry."""
    if KEY not in content:
        return content
    return {**content, KEY: with_hosted_images(content[KEY], lambda _asset_id: [dict(_PLACEHOLDER)])}


def upcoming_asset_ids(entries: Any, path: str) -> dict[str, str]:
    """{"<path>[0].images.headerImage.asset_id": asset id} for each image named by asset id."""
    found: dict[str, str] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        images = entry.get("images") if isinstance(entry, Mapping) else None
        for name, image in (images.items() if isinstance(images, Mapping) else ()):
            if isinstance(image, Mapping) and image.get("asset_id") is not None:
                found[f"{path}[{index}].images.{name}.asset_id"] = str(image["asset_id"])
    return found
