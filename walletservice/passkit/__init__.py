"""walletservice.passkit: Apple Wallet passes from design to signed .pkpass. Pure: no Flask, no database.

The pipeline has three steps, each a plain function:

1. design -> pass.json. `build_pass_json(design, PassIdentity(...))` takes a design
   (Apple's key names, merged for one pass, with friendly shorthands such as
   `"style": "coupon"`, hex colors, `qr` barcodes and `datetime` dates), rejects
   unknown keys, normalises values to the forms Wallet reads, and checks the result
   with the same rules as step 3. `render_image_set(upload, role, style)` turns an
   uploaded image into Apple-sized PNGs at @1x, @2x and @3x.
2. pass.json + images + localisations -> files. `build_pkpass` serialises pass.json
   deterministically, adds images and `<locale>.lproj/pass.strings`
   (`localization_files`), and hashes every file into manifest.json (`build_manifest`, SHA-1).
3. manifest -> signature -> .pkpass. `validate_pass` runs first and reports every problem
   at once (PassValidationError.problems); then `sign_manifest` makes the detached
   CMS signature with a `SigningIdentity` (Pass Type ID certificate + key + WWDR), and
   the files are zipped reproducibly: only `signature` differs between two builds.

`certificates` reads .p12/PEM files and describes Pass Type ID certificates;
`devcerts` makes throwaway ones for development and tests.
"""

from .bundle import build_manifest, build_pkpass, localization_files, serialize_pass_json
from .certificates import (
    CertificateError,
    CertificateInfo,
    PrivateKey,
    describe_certificate,
    load_pem_bundle,
    load_pkcs12,
)
from .design import STYLES, PassIdentity, build_pass_json
from .errors import PassValidationError
from .images import IMAGE_ROLES, ImageError, render_image_set
from .signing import SigningIdentity, sign_manifest, sign_personalization_token
from .validation import validate_pass

__all__ = [
    "IMAGE_ROLES",
    "STYLES",
    "CertificateError",
    "CertificateInfo",
    "ImageError",
    "PassIdentity",
    "PassValidationError",
    "PrivateKey",
    "SigningIdentity",
    "build_manifest",
    "build_pass_json",
    "build_pkpass",
    "describe_certificate",
    "load_pem_bundle",
    "load_pkcs12",
    "localization_files",
    "render_image_set",
    "serialize_pass_json",
    "sign_manifest",
    "sign_personalization_token",
    "validate_pass",
]
