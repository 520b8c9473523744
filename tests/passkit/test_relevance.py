"""Locations, beacons and maxDistance."""

from __future__ import annotations

import pytest

from walletservice.passkit import PassValidationError, build_pass_json

from .factories import make_design

UUID = "F8F589E9-C07E-58B0-AEAB-A36BE4D48FAC"


def problems_for(design: dict, identity) -> list[str]:
    with pytest.raises(PassValidationError) as caught:
        build_pass_json(design, identity)
    return caught.value.problems


def test_locations_and_beacons_are_kept(identity):
    locations = [{"latitude": 52.52, "longitude": 13.405, "altitude": 34, "relevantText": "Near the venue"}]
    beacons = [{"proximityUUID": UUID, "major": 1, "minor": 65535, "relevantText": "At the door"}]

    pass_json = build_pass_json(make_design(locations=locations, beacons=beacons, maxDistance=100), identity)

    assert pass_json["locations"] == locations
    assert pass_json["beacons"] == beacons
    assert pass_json["maxDistance"] == 100


def test_ten_locations_are_allowed_and_eleven_are_rejected(identity):
    location = {"latitude": 1.0, "longitude": 2.0}
    assert build_pass_json(make_design(locations=[location] * 10), identity)

    assert problems_for(make_design(locations=[location] * 11), identity) == ["locations: at most 10 allowed, got 11"]


def test_eleven_beacons_are_rejected(identity):
    assert problems_for(make_design(beacons=[{"proximityUUID": UUID}] * 11), identity) == [
        "beacons: at most 10 allowed, got 11"
    ]


@pytest.mark.parametrize("location, expected", [
    ({"longitude": 2}, "locations[0].latitude is required"),
    ({"latitude": 91, "longitude": 2}, "locations[0].latitude: 91 is not a number from -90 to 90"),
    ({"latitude": 1, "longitude": "2"}, "locations[0].longitude: '2' is not a number from -180 to 180"),
    ({"latitude": 1, "longitude": 2, "altitude": "high"}, "locations[0].altitude: must be a number of metres"),
    ({"latitude": 1, "longitude": 2, "relevantText": 5}, "locations[0].relevantText: must be a string"),
    ({"latitude": 1, "longitude": 2, "lat": 1}, "locations[0].lat: unknown key; did you mean latitude?"),
])
def test_bad_locations_are_rejected(location, expected, identity):
    assert problems_for(make_design(locations=[location]), identity) == [expected]


def test_bad_beacon_uuid_is_rejected(identity):
    assert problems_for(make_design(beacons=[{"proximityUUID": "not-a-uuid"}]), identity) == [
        "beacons[0].proximityUUID: 'not-a-uuid' is not a UUID"
    ]


def test_beacon_uuid_is_written_in_canonical_form(identity):
    pass_json = build_pass_json(make_design(beacons=[{"proximityUUID": UUID.lower().replace("-", "")}]), identity)

    assert pass_json["beacons"][0]["proximityUUID"] == UUID


@pytest.mark.parametrize("key, value", [("major", 65536), ("minor", -1), ("major", 1.5), ("minor", "7")])
def test_beacon_major_and_minor_are_16_bit_numbers(key, value, identity):
    assert problems_for(make_design(beacons=[{"proximityUUID": UUID, key: value}]), identity) == [
        f"beacons[0].{key}: {value!r} is not a whole number from 0 to 65535"
    ]


def test_beacon_without_uuid_is_rejected(identity):
    assert problems_for(make_design(beacons=[{"major": 1}]), identity) == ["beacons[0].proximityUUID is required"]
