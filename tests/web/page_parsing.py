"""Reading the download page's HTML the way a browser and a link preview would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import qrcode

_MODULE = re.compile(r"M(\d+),(\d+)H")


@dataclass
class ParsedPage(HTMLParser):
    """Meta tags, subresources, element ids, text and the QR code's path."""

    meta: dict[str, str] = field(default_factory=dict)
    stylesheets: list[str] = field(default_factory=list)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # id -> href
    ids: set[str] = field(default_factory=set)
    inline_styles: int = 0
    style_elements: int = 0
    event_handlers: list[str] = field(default_factory=list)
    qr_path: str = ""
    texts: list[str] = field(default_factory=list)
    title: str = ""
    _in: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._in.append(tag)
        if "id" in found:
            self.ids.add(str(found["id"]))
        if "style" in found:
            self.inline_styles += 1
        self.event_handlers += [name for name in found if name.startswith("on")]
        if tag == "meta" and found.get("property"):
            self.meta[str(found["property"])] = str(found.get("content"))
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(str(found["href"]))
        elif tag == "script":
            self.scripts.append({"src": found.get("src"), "text": ""})
        elif tag == "img":
            self.images.append(str(found["src"]))
        elif tag == "a" and found.get("id"):
            self.links[str(found["id"])] = str(found["href"])
        elif tag == "style":
            self.style_elements += 1
        elif tag == "path" and "svg" in self._in:
            self.qr_path = str(found.get("d"))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag):]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.scripts[-1]["text"] = str(self.scripts[-1]["text"]) + data
        if self._in and self._in[-1] == "title":
            self.title += data
        if data.strip():
            self.texts.append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def parse_page(html: str) -> ParsedPage:
    page = ParsedPage()
    page.feed(html)
    page.close()
    return page


def qr_modules(path: str) -> set[tuple[int, int]]:
    """The dark modules of a qrcode SvgPathImage path ("Mx,yH..V..H..z" per module)."""
    return {(int(x), int(y)) for x, y in _MODULE.findall(path)}


def expected_qr_modules(data: str) -> set[tuple[int, int]]:
    """The dark modules of a QR code of `data` as the page must draw it (error correction M)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}
