"""Assembling a signed .pkpass: pass.json, images, localizations, manifest, signature.

Apple (Package Format Reference; digest section 2): a ZIP of the pass folder's
contents with files at the root; manifest.json maps every other file (including
.lproj files) to the hex SHA-1 of its bytes; `signature` signs manifest.json.
The archive is reproducible: sorted names, fixed timestamps and permissions, so two
builds from the same inputs differ only in `signature` (it carries the signing time).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from .package_files import LOCALE_NAME, STRINGS_FILE
from .poster_images import check_poster_image_sizes
from .problems import Problems, describe
from .signing import SigningIdentity, sign_manifest
from .validation import collect_pass_problems

MANIFEST = "manifest.json"
SIGNATURE = "signature"
PASS_JSON = "pass.json"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date ZIP can store
_FILE_MODE = 0o100644  # a regular file, rw-r--r--
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_UTF16_LE_BOM = b"\xff\xfe"


def serialize_pass_json(pass_json: Mapping[str, Any]) -> bytes:
    """pass.json bytes: sorted keys, UTF-8, so equal passes give equal bytes (and hashes)."""
    # No indent: json's C encoder only runs without one, and Wallet does not care.
    text = json.dumps(pass_json, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def build_manifest(files: Mapping[str, bytes]) -> bytes:
    """manifest.json: {path: SHA-1 hex} for every file but manifest.json and signature."""
    # Apple specifies SHA-1 here; SHA-256 manifests are not documented for passes.
    digests = {
        name: hashlib.sha1(data).hexdigest()
        for name, data in files.items()
        if name not in (MANIFEST, SIGNATURE)
    }
    return json.dumps(digests, sort_keys=True, separators=(",", ":")).encode("ascii")


def localization_files(strings: Mapping[str, Mapping[str, str]]) -> dict[str, bytes]:
    """{"en": {"k": "v"}} -> {"en.lproj/pass.strings": b'"k" = "v";\\n'}."""
    problems = Problems()
    files = _localization_files(strings, problems)
    problems.raise_if_any()
    return files


def collect_localization_problems(strings: object, problems: Problems) -> None:
    """The builder's pass.strings checks without raising, for callers that refuse
    content before storing it (so that what is stored can always be built)."""
    _localization_files(strings, problems)


def build_pkpass(
    pass_json: Mapping[str, Any],
    images: Mapping[str, bytes],
    identity: SigningIdentity,
    *,
    strings: Mapping[str, Mapping[str, str]] | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> bytes:
    """A signed .pkpass; PassValidationError lists every problem before anything is signed.

    images maps file names ("icon.png", "icon@2x.png", "en.lproj/logo.png") to PNG bytes;
    extra_files is for personalization.json and personalizationLogo@2x.png.
    """
    problems = Problems()
    files: dict[str, bytes] = {PASS_JSON: b""}  # a placeholder until pass.json is valid
    for source in (images, _localization_files(strings or {}, problems), extra_files or {}):
        _add_files(files, source, problems)
    collect_pass_problems(pass_json, files, problems)
    _check_pngs(files, problems)
    check_poster_image_sizes(pass_json, files, problems)
    _check_certificate_matches(pass_json, identity, problems)
    problems.raise_if_any()
    files[PASS_JSON] = serialize_pass_json(pass_json)
    manifest = build_manifest(files)
    files[MANIFEST] = manifest
    # Signer: the manifest just built here over validated files (see sign_manifest).
    files[SIGNATURE] = sign_manifest(manifest, identity)
    return _zip(files)


def _add_files(files: dict[str, bytes], source: Mapping[str, bytes], problems: Problems) -> None:
    for name, data in source.items():
        if name in (PASS_JSON, MANIFEST, SIGNATURE):
            problems.add(name, "is written by the builder")
        elif name in files:
            problems.add(str(name), "is given twice")
        elif not isinstance(data, (bytes, bytearray)):
            problems.add(str(name), "file content must be bytes")
        else:
            files[name] = bytes(data)


def _check_pngs(files: Mapping[str, bytes], problems: Problems) -> None:
    for name, data in files.items():
        if isinstance(name, str) and name.endswith(".png") and not data.startswith(_PNG_SIGNATURE):
            problems.add(name, "is not a PNG file (Wallet reads PNG images only)")


def _check_certificate_matches(
    pass_json: Mapping[str, Any], identity: SigningIdentity, problems: Problems
) -> None:
    # Apple: the certificate's pass type id and team must equal the pass's, or Wallet
    # refuses the pass ("may not match your certificate").
    if not isinstance(pass_json, Mapping):
        return
    info = identity.info
    certified = {"passTypeIdentifier": info.pass_type_identifier, "teamIdentifier": info.team_identifier}
    for key, expected in certified.items():
        if expected is not None and pass_json.get(key) not in (None, expected):
            mismatch = f"{describe(pass_json[key])} does not match the signing certificate's {expected!r}"
            problems.add(key, mismatch)


def _localization_files(strings: object, problems: Problems) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if not isinstance(strings, Mapping):
        problems.add("strings", "must map locale names to strings tables")
        return files
    for locale, table in strings.items():
        if not isinstance(locale, str) or not LOCALE_NAME.match(locale):
            problems.add("strings", f"{describe(locale)} is not a locale name such as en or zh-Hans")
        elif not isinstance(table, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in table.items()
        ):
            problems.add(f"strings.{locale}", "must map strings to strings")
        else:
            files[f"{locale}.lproj/{STRINGS_FILE}"] = _strings_file(table)
    return files


def _strings_file(table: Mapping[str, str]) -> bytes:
    text = "".join(f'"{_escape(key)}" = "{_escape(table[key])}";\n' for key in sorted(table))
    if text.isascii():
        return text.encode("ascii")
    # Apple: use UTF-16 for non-ASCII strings files; a BOM tells the reader which order.
    return _UTF16_LE_BOM + text.encode("utf-16-le")


def _escape(text: str) -> str:
    escaped = []
    for char in text:
        if char in _ESCAPES:
            escaped.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\U{ord(char):04x}")  # other control characters
        else:
            escaped.append(char)
    return "".join(escaped)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permission bits below mean the same everywhere
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, files[name], compresslevel=6)
    return buffer.getvalue()
