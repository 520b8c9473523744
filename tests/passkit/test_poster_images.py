"""Poster images against Apple's Pass Builder descriptors (PassPackage.swift), per scale."""

from __future__ import annotations

import pytest

from tests.factories import png_bytes
from walletservice.passkit.poster_images import (
    PNG_HEADER_BYTES, check_poster_event_artwork, check_poster_image_sizes, png_size, poster_images,
)
from walletservice.passkit.problems import Problems

POSTER_TICKET = {"eventTicket": {}, "preferredStyleSchemes": ["posterEventTicket", "eventTicket"]}


def problems_for(pass_json, files) -> list[str]:
    problems = Problems()
    check_poster_image_sizes(pass_json, files, problems)
    return problems.messages


def test_which_poster_images_each_face_shows():
    assert poster_images(POSTER_TICKET) == ("artwork", "primaryLogo", "secondaryLogo")
    assert poster_images({"storeCard": {}, "posterGeneric": {}}) == ("primaryLogo", "background")
    assert poster_images({"eventTicket": {}, "preferredStyleSchemes": ["eventTicket"]}) == ()


def test_images_at_apples_sizes_pass_at_every_scale():
    files = {"artwork@2x.png": png_bytes((716, 896)), "de.lproj/secondaryLogo@3x.png": png_bytes((405, 20)),
             "primaryLogo.png": png_bytes((100, 30)), "background.png": png_bytes((180, 220))}
    # The event ticket's background keeps its classic size: it is not a poster generic face.
    assert problems_for(POSTER_TICKET, files) == []


@pytest.mark.parametrize(("name", "size", "why"), [
    ("artwork.png", (358, 447), "artwork.png: is 358 x 447 pixels; Apple's size at @1x is exactly 358 x 448"),
    ("artwork@3x.png", (716, 896), "artwork@3x.png: is 716 x 896 pixels; Apple's size at @3x is exactly 1074 x 1344"),
    ("secondaryLogo@2x.png", (270, 25),
     "secondaryLogo@2x.png: is 270 x 25 pixels; Apple's size at @2x is at most 270 x 24"),
    ("en.lproj/primaryLogo.png", (127, 30),
     "en.lproj/primaryLogo.png: is 127 x 30 pixels; Apple's size at @1x is at most 126 x 30"),
])
def test_an_image_off_its_descriptor_is_named_with_its_scale(name, size, why):
    assert problems_for(POSTER_TICKET, {name: png_bytes(size)}) == [why]


def test_png_size_reads_the_header_only():
    assert png_size(png_bytes((17, 5))[:PNG_HEADER_BYTES]) == (17, 5)  # all the service reads from the database
    assert png_size(b"GIF89a not a png at all....") is None


def artwork_problems(pass_json, names) -> list[str]:
    problems = Problems()
    check_poster_event_artwork(pass_json, names, problems)
    return problems.messages


def test_a_poster_event_ticket_without_artwork_or_background_names_the_artwork():
    # Pass Builder's EventTicketValidator: an error, so it refuses to sign such a pass.
    assert artwork_problems(POSTER_TICKET, ["icon.png", "logo.png"]) == [
        "artwork.png is required (or background.png) for a posterEventTicket; "
        "Apple's Pass Builder refuses to sign one without either"]


@pytest.mark.parametrize("names", [["icon.png", "artwork@2x.png"], ["icon.png", "background.png"],
                                   ["icon.png", "de.lproj/artwork.png"]])
def test_artwork_or_background_in_any_scale_or_locale_is_enough(names):
    assert artwork_problems(POSTER_TICKET, names) == []


def test_a_classic_event_ticket_needs_no_artwork():
    assert artwork_problems({"eventTicket": {}, "preferredStyleSchemes": ["eventTicket"]}, ["icon.png"]) == []
    assert artwork_problems({"eventTicket": {}}, ["icon.png"]) == []
