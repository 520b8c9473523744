"""Which files a .pkpass may contain, and which images each pass style shows.

Apple (Package Format Reference, "Pass Package Structure"; Wallet Developer Guide,
"Pass Design and Creation"): files sit at the archive root or in one level of
`<locale>.lproj` folders; icon.png is required; each style shows only some images
(boarding pass: logo, icon, footer; coupon: logo, icon, strip; event ticket: logo,
icon, strip or background + thumbnail; generic: logo, icon, thumbnail; store card:
logo, icon, strip); stray files such as .DS_Store must not be included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .problems import Problems

# The poster images (Apple's Pass Builder, PassPackage.swift; passkit.poster_images): artwork and
# secondaryLogo of poster event tickets (iOS 18), primaryLogo of both poster faces.
IMAGE_ROLES = ("icon", "logo", "strip", "thumbnail", "background", "footer", "primaryLogo",
               "artwork", "secondaryLogo")
ALLOWED_IMAGES = {
    "boardingPass": ("icon", "logo", "footer"),
    "coupon": ("icon", "logo", "strip"),
    "eventTicket": ("icon", "logo", "strip", "background", "thumbnail"),
    "generic": ("icon", "logo", "thumbnail"),
    "storeCard": ("icon", "logo", "strip"),
}
CONTROL_FILES = ("pass.json", "manifest.json", "signature")
PERSONALIZATION_FILE = "personalization.json"
PERSONALIZATION_LOGO = "personalizationLogo"
STRINGS_FILE = "pass.strings"
_IMAGE_FILE = re.compile(r"(?P<role>[A-Za-z]+)(?:@[23]x)?\.png\Z")
_LOCALE_FOLDER = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*\.lproj\Z")
LOCALE_NAME = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*\Z")


def unsafe_name_problem(name: object) -> str | None:
    """Why a file name cannot go into the archive as is, or None if it can."""
    if not isinstance(name, str) or not name:
        return "file names must be non-empty strings"
    if "\\" in name or name.startswith("/") or ":" in name:
        return "use relative paths with forward slashes"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "empty, '.' and '..' path parts are not allowed"
    if any(part.startswith(".") or part == "__MACOSX" for part in parts):
        # Apple: do not include stray files such as .DS_Store.
        return "hidden and system files (like .DS_Store) must not be in a pass"
    if len(parts) > 2:
        return "only one folder level (<locale>.lproj/) is allowed"
    return None


def image_role(file_name: str) -> str | None:
    """"icon" for "icon@2x.png"; None when the name is not a pass image."""
    match = _IMAGE_FILE.match(file_name)
    if not match or match.group("role") not in (*IMAGE_ROLES, PERSONALIZATION_LOGO):
        return None
    return match.group("role")


def check_file_names(style: str | None, names: Iterable[str], problems: Problems,
                     extra_images: tuple[str, ...] = ()) -> None:
    """Report unsafe, unknown, missing and style-forbidden files; extra_images are the
    roles a poster face shows beside the style's own (passkit.poster_generic)."""
    root_images: set[str] = set()
    localized: dict[str, set[str]] = {}
    for name in names:
        why = unsafe_name_problem(name)
        if why:
            problems.add(repr(name) if isinstance(name, str) else "files", why)
            continue
        folder, _, base = name.rpartition("/")
        if folder:
            if _check_localized(folder, base, problems):
                localized.setdefault(folder, set()).add(base)
        elif name not in (*CONTROL_FILES, PERSONALIZATION_FILE):
            if image_role(name) is None:
                problems.add(name, "is not a file Wallet reads (images are <role>[@2x|@3x].png)")
            else:
                root_images.add(name)
    _check_icon(root_images, localized, problems)
    _check_overrides(root_images, localized, problems)
    if style in ALLOWED_IMAGES:
        _check_style_images(style, root_images, localized, problems, extra_images)


def _check_localized(folder: str, base: str, problems: Problems) -> bool:
    """Whether folder/base is a localized image (strings files are fine but not images)."""
    if not _LOCALE_FOLDER.match(folder):
        problems.add(f"{folder}/{base}", "the only folders allowed are <locale>.lproj, e.g. en.lproj")
        return False
    if base == STRINGS_FILE:
        return False
    role = image_role(base)
    if role is None or role == PERSONALIZATION_LOGO:
        problems.add(f"{folder}/{base}", "a .lproj folder holds pass.strings and pass images only")
        return False
    return True


def _check_icon(root_images: set[str], localized: dict[str, set[str]], problems: Problems) -> None:
    in_every_locale = bool(localized) and all("icon.png" in files for files in localized.values())
    if "icon.png" not in root_images and not in_every_locale:
        problems.missing("icon.png", "(Wallet silently rejects a pass without an icon)")


def _check_overrides(root_images: set[str], localized: dict[str, set[str]], problems: Problems) -> None:
    for folder, files in sorted(localized.items()):
        for base in sorted(files & root_images):
            # Apple: a top-level image overrides the localized ones.
            problems.add(f"{folder}/{base}", f"is hidden by the top-level {base}; ship one or the other")


def _check_style_images(
    style: str, root_images: set[str], localized: dict[str, set[str]], problems: Problems,
    extra_images: tuple[str, ...] = (),
) -> None:
    allowed = (*ALLOWED_IMAGES[style], *extra_images, PERSONALIZATION_LOGO)
    all_files = sorted(root_images) + [f"{folder}/{base}" for folder, files in sorted(localized.items())
                                       for base in sorted(files)]
    roles = set()
    for name in all_files:
        role = image_role(name.rpartition("/")[2])
        roles.add(role)
        if role not in allowed:
            may_have = ", ".join((*ALLOWED_IMAGES[style], *extra_images))
            problems.add(name, f"a {style} shows no {role} image; it may have {may_have}")
    if style == "eventTicket" and "strip" in roles and roles & {"background", "thumbnail"}:
        problems.add(
            "strip.png",
            "an eventTicket has either a strip image or background/thumbnail images, not both",
        )
