"""/api/v3/segment: saved queries, usable as segmentId when listing or bulk updating."""

from __future__ import annotations

from flask import Response

from walletservice.api.schemas.v3 import V3Envelope, V3Identifier, V3Segment, V3SegmentBody
from walletservice.api.v3 import v3_api
from walletservice.api.v3.envelope import envelope
from walletservice.db import transaction
from walletservice.models import Segment
from walletservice.services.passcreator import segments as service

TAG = "Segments"
ITEM = "/segment/<segment_id>"


def segment_view(segment: Segment) -> dict[str, object]:
    return V3Segment(identifier=segment.id, name=segment.name, query=segment.query,
                     createdOn=segment.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                     modifiedOn=segment.updated_at.strftime("%Y-%m-%d %H:%M:%S")).model_dump()


@v3_api.route("GET", "/segment", summary="List segments", tag=TAG, responses={200: V3Envelope[list[V3Segment]]})
def list_segments(organization_id: str) -> Response:
    with transaction(write=False) as session:
        views = [segment_view(segment) for segment in session.scalars(service.segments_of(organization_id))]
    return envelope(views)


@v3_api.route("POST", "/segment", summary="Save a segment", tag=TAG, json_body=V3SegmentBody,
              responses={200: V3Envelope[V3Segment]},
              description="`name` and `query` (the query language) are required; the query must compile now.")
def create_segment(organization_id: str, body: V3SegmentBody) -> Response:
    with transaction() as session:
        view = segment_view(service.create_segment(session, organization_id, body.name, body.query))
    return envelope(view, description="Segment has been created.")


@v3_api.route("GET", ITEM, summary="Get a segment", tag=TAG, responses={200: V3Envelope[V3Segment]})
def get_segment(organization_id: str, segment_id: str) -> Response:
    with transaction(write=False) as session:
        view = segment_view(service.get_segment(session, organization_id, segment_id))
    return envelope(view)


def _update(organization_id: str, segment_id: str, body: V3SegmentBody) -> Response:
    with transaction() as session:
        segment = service.get_segment(session, organization_id, segment_id)
        view = segment_view(service.update_segment(session, segment, name=body.name, query=body.query))
    return envelope(view, description="Segment has been updated.")


@v3_api.route("PATCH", ITEM, summary="Change a segment", tag=TAG, json_body=V3SegmentBody,
              responses={200: V3Envelope[V3Segment]}, description="Only the name or query given changes.")
def patch_segment(organization_id: str, segment_id: str, body: V3SegmentBody) -> Response:
    return _update(organization_id, segment_id, body)


@v3_api.route("PUT", ITEM, summary="Change a segment (as PATCH)", tag=TAG, json_body=V3SegmentBody,
              responses={200: V3Envelope[V3Segment]}, description="Only the name or query given changes.")
def put_segment(organization_id: str, segment_id: str, body: V3SegmentBody) -> Response:
    return _update(organization_id, segment_id, body)


@v3_api.route("DELETE", ITEM, summary="Delete a segment", tag=TAG, responses={200: V3Envelope[V3Identifier]})
def delete_segment(organization_id: str, segment_id: str) -> Response:
    with transaction() as session:
        service.delete_segment(session, service.get_segment(session, organization_id, segment_id))
    return envelope({"identifier": segment_id}, description="Successfully deleted!")
