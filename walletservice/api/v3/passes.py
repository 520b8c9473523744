"""/api/v3/pass: create, list and search, get, replace, patch, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from walletservice.api.schemas.v3 import (
    V3AsyncQuery,
    V3CreatedPass,
    V3Envelope,
    V3ErrorEnvelope,
    V3Filter,
    V3Identifier,
    V3ListQuery,
    V3PassBody,
    V3PassList,
    V3PassQuery,
    V3PassView,
)
from walletservice.api.preconditions import current, if_match_sent
from walletservice.json_bodies import parse_json_body
from walletservice.api.v2.responses import public_url
from walletservice.api.v3 import v3_api
from walletservice.api.v3.envelope import PREFIX, envelope
from walletservice.db import transaction
from walletservice.errors import BadRequest
from walletservice.models import Campaign, Pass
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.mail import mail_configured
from walletservice.sms import sms_configured
from walletservice.services.passcreator.sendouts import Recipients, enqueue_sendouts, requested_recipients
from walletservice.services.passcreator import passes as service
from walletservice.services.download_pins import PIN_KEY, protect_pin
from walletservice.services.passcreator.image_fetch import FetchPolicy
from walletservice.services.passcreator.pass_query import (
    decode_query_parameter,
    encode_query_parameter,
    identifiers_query,
    parse_query,
)
from walletservice.services.pass_locks import lock_pass_for_update
from walletservice.services.passes import delete_pass
from walletservice.services.passcreator.segments import get_segment
from walletservice.services.passcreator.jobs import enqueue_create, enqueue_update
from walletservice.services.passcreator.pass_view import Links, generic_properties, pass_views
from walletservice.services.passcreator.wallet_features import check_wallet_feature_references
from walletservice.web.links import bundle_url, customer_link, google_save_url
from walletservice.web.routes import page_path, pkpass_path

TAG = "Passes"
LINKS = Links(download_page=lambda pass_: public_url(page_path(pass_)),
              pkpass=lambda pass_: public_url(pkpass_path(pass_)), bundle_page=bundle_url)
ITEM = "/pass/<identifier>"
DATA_DESCRIPTION = (
    "`data` holds the documented keys plus the template's additional properties, by id (field key) or "
    "name (label). `async=true` (default) answers at once and does the work in the background: follow "
    "`process`; `async=false` does it in the request."
)


def policy() -> FetchPolicy:
    return FetchPolicy.from_config(current_app.config)


def recipients(campaign: Campaign, data: dict[str, Any]) -> Recipients:
    """Where to send the pass (services.passcreator.sendouts), checked before anything is written."""
    config = current_app.config
    return requested_recipients(campaign, data, mail_configured=mail_configured(config),
                                sms_configured=sms_configured(config))


def process_url(job_id: str) -> str:
    return public_url(f"{PREFIX}/process/{job_id}")


def pass_data(body: V3PassBody) -> dict[str, Any]:
    """The body's data, its downloadPin hashed at once: a queued job keeps no plain PIN."""
    data = body.data.model_dump(exclude_unset=True)
    if PIN_KEY in data:
        data[PIN_KEY] = protect_pin(data[PIN_KEY])
    return data


def created_view(pass_: Pass, campaign: Campaign, *, known_barcode: bool = True,
                 job_id: str | None = None) -> dict[str, Any]:
    barcode = (pass_.content or {}).get("barcode") or {}
    bundle_page = LINKS.bundle_page(pass_)
    return V3CreatedPass(
        identifier=pass_.id, bundleId=(pass_.extra or {}).get("bundleId"),
        # The one link the integrator sends: for a bundled pass, the bundle (docs/passcreator-v3.md, Bundles).
        downloadPage=customer_link(pass_), bundleDownloadPage=bundle_page,
        iPhoneUri=LINKS.pkpass(pass_),
        androidUri=google_save_url(pass_, campaign) if known_barcode else None,
        barcodeValue=barcode.get("message") if known_barcode else None,
        genericProperties=generic_properties(pass_, campaign),
        process=process_url(job_id) if job_id else None,
    ).model_dump()


@v3_api.route("POST", "/pass", summary="Create a pass", tag=TAG, json_body=V3PassBody, query=V3AsyncQuery,
              responses={200: V3Envelope[V3CreatedPass]}, description=DATA_DESCRIPTION)
def create_pass(organization_id: str, body: V3PassBody, query: V3AsyncQuery) -> Response:
    data = pass_data(body)
    reservation = service.Reservation.new()
    with transaction() as session:
        campaign = service.get_template(session, organization_id, data.get("templateId"))
        changes = service.read_changes(campaign, data, policy())
        send_to = recipients(campaign, data)  # the job sends it when it has created the pass
        service.check_unique_user_provided_id(session, organization_id, changes, include_queued_creations=True)
        check_wallet_feature_references(session, organization_id, changes.values)  # before an async job is queued
        if query.async_:
            preview = _reserved_pass(reservation, campaign, changes)
            job = enqueue_create(session, organization_id, data, reservation, changes.user_provided_id,
                                 sendout_link=customer_link(preview) if send_to.any else None)
            view = created_view(preview, campaign, known_barcode=False, job_id=job.id)
        else:
            images = service.fetch_images(session, organization_id, changes, policy(), campaign.style)
            pass_ = service.create_v3_pass(session, campaign, changes, images, reservation)
            view = created_view(pass_, campaign)
            enqueue_sendouts(session, campaign, pass_, send_to, view["downloadPage"])
    return envelope(view, description="Pass has been created.")


def _reserved_pass(reservation: service.Reservation, campaign: Campaign, changes: service.PassChanges) -> Pass:
    """An unsaved pass carrying what the async answer shows before the job creates it."""
    return Pass(id=reservation.pass_id, download_id=reservation.download_id, campaign_id=campaign.id,
                organization_id=campaign.organization_id, values=changes.values, content={}, extra=changes.extra)


@v3_api.route("GET", "/pass", summary="List and search passes", tag=TAG, query=V3ListQuery,
              responses={200: V3PassList, 404: V3ErrorEnvelope},
              description="Pages of `pageSize` in creation order; `page.next` continues after the last pass "
                          "of this page, so passes created meanwhile never shift a page. The filter may also "
                          "come as a JSON body `{\"filter\": {identifiers|segmentId|query}}`.")
def list_passes(organization_id: str, query: V3ListQuery) -> Response:
    max_size = current_app.config["WALLET_V3_MAX_PAGE_SIZE"]
    page_size = min(query.pageSize or max_size, max_size)
    with transaction(write=False) as session:
        condition = _list_condition(session, organization_id, query)
        total = service.count_selected(session, condition)
        passes = list(session.scalars(service.page_of_passes(condition, page_size, query.cursor)))
        has_next, passes = len(passes) > page_size, passes[:page_size]
        fields = [name.strip() for name in query.fields.split(",") if name.strip()] if query.fields else None
        views = pass_views(session, passes, LINKS, key_by_name=query.formatKeyAdditionalProperties == "name",
                           fields=fields)
    extra: dict[str, Any] = {"responseMetaData": {"resultsTotal": total, "resultsThisPage": len(views)}}
    if has_next:
        extra["page"] = {"next": _next_link(service.encode_cursor(passes[-1]))}
    return envelope(views, **extra)


def _list_condition(session: Session, organization_id: str, query: V3ListQuery) -> ColumnElement[bool]:
    body_filter = _body_filter()
    if query.segmentId:
        return service.selection_condition(session, organization_id, segment_id=query.segmentId)
    if query.query:
        return service.selection_condition(session, organization_id, query=decode_query_parameter(query.query))
    if body_filter is not None:
        return filter_condition(session, organization_id, body_filter)
    return service.selection_condition(session, organization_id)


def _body_filter() -> V3Filter | None:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return V3Filter.model_validate((parse_json_body(raw) or {}).get("filter") or {})
    except (ValueError, AttributeError):
        raise BadRequest("the body must be JSON: {\"filter\": {...}}") from None


def filter_condition(session: Session, organization_id: str, given: V3Filter) -> ColumnElement[bool]:
    if given.identifiers is not None:
        return service.selection_condition(session, organization_id, identifiers=given.identifiers)
    if given.segmentId is not None:
        return service.selection_condition(session, organization_id, segment_id=given.segmentId)
    if given.query is not None:
        return service.selection_condition(session, organization_id, query=parse_query(given.query))
    return service.selection_condition(session, organization_id)


def _next_link(cursor: str) -> str:
    """The URL's parameters and the cursor; a filter sent in the body rides along in the URL,
    so following the link as given continues the same selection."""
    arguments = {key: value for key, value in request.args.items() if key != "cursor"}
    if "segmentId" not in arguments and "query" not in arguments:
        arguments.update(_filter_arguments(_body_filter()))
    return public_url(f"{PREFIX}/pass?{urlencode({**arguments, 'cursor': cursor})}")


def _filter_arguments(given: V3Filter | None) -> dict[str, str]:
    """A body filter as URL parameters: segmentId, or the query (identifiers as a query on
    `identifier`, MAX_VALUES to a group) in base64url JSON."""
    if given is None:
        return {}
    if given.identifiers is not None:
        return {"query": encode_query_parameter(identifiers_query(given.identifiers))}
    if given.segmentId is not None:
        return {"segmentId": given.segmentId}
    if given.query is not None:
        return {"query": encode_query_parameter(given.query)}
    return {}


@v3_api.route("GET", ITEM, summary="Get a pass", tag=TAG, query=V3PassQuery,
              responses={200: V3Envelope[V3PassView]}, etag=True)
def get_pass(organization_id: str, identifier: str, query: V3PassQuery) -> Response:
    with transaction(write=False) as session:
        pass_ = current(session, service.get_v3_pass(session, organization_id, identifier))
        key_by_name = query.formatKeyAdditionalProperties == "name"
        (view,) = pass_views(session, [pass_], LINKS, key_by_name=key_by_name)
    return envelope(view)


def _update(organization_id: str, identifier: str, body: V3PassBody, query: V3AsyncQuery,
            *, replace: bool) -> Response:
    data = pass_data(body)
    with transaction() as session:
        pass_ = service.get_v3_pass(session, organization_id, identifier)
        # Before the userProvidedId lock: bulk jobs take the pass's lock first, then that one.
        current(session, lock_pass_for_update(session, pass_))
        campaign = session.get(Campaign, pass_.campaign_id)
        changes = service.read_changes(campaign, data, policy())
        send_to = recipients(campaign, data)
        service.check_unique_user_provided_id(session, organization_id, changes, pass_.id,
                                              include_queued_creations=True)
        check_wallet_feature_references(session, organization_id, changes.values)
        # With If-Match the update is made now, under the lock the check was made under.
        if query.async_ and not if_match_sent():
            link = customer_link(_updated_pass(pass_, changes, replace)) if send_to.any else None
            job = enqueue_update(session, organization_id, data, replace=replace,
                                 selection={"identifiers": [pass_.id]}, total=1, sendout_link=link)
            view = created_view(pass_, campaign, job_id=job.id)
        else:
            images = service.fetch_images(session, organization_id, changes, policy(), campaign.style)
            if service.update_v3_pass(session, campaign, pass_, changes, images, replace=replace):
                enqueue_pass_push(session, organization_id, [pass_.id])
            view = created_view(pass_, campaign)
            enqueue_sendouts(session, campaign, pass_, send_to, view["downloadPage"])
    queued = "process" in view and view["process"] is not None
    return envelope(view, description="Queued successfully" if queued else "Pass has been updated.")


def _updated_pass(pass_: Pass, changes: service.PassChanges, replace: bool) -> Pass:
    """An unsaved copy with the extras the queued update will give the pass: its sendouts' link
    follows a bundleId the update changes."""
    return Pass(id=pass_.id, download_id=pass_.download_id, organization_id=pass_.organization_id,
                extra=service.extra_after_update(pass_, changes, replace=replace))


UPDATE_RESPONSES = {200: V3Envelope[V3CreatedPass]}


@v3_api.route("POST", ITEM, summary="Replace a pass's data", tag=TAG, json_body=V3PassBody, query=V3AsyncQuery,
              responses=UPDATE_RESPONSES, etag=True,
              description="Data not given is removed from the pass; the change is pushed. " + DATA_DESCRIPTION)
def replace_pass(organization_id: str, identifier: str, body: V3PassBody, query: V3AsyncQuery) -> Response:
    return _update(organization_id, identifier, body, query, replace=True)


@v3_api.route("PATCH", ITEM, summary="Update part of a pass's data", tag=TAG, json_body=V3PassBody,
              query=V3AsyncQuery, responses=UPDATE_RESPONSES, etag=True,
              description="Only the data given changes; the change is pushed. " + DATA_DESCRIPTION)
def patch_pass(organization_id: str, identifier: str, body: V3PassBody, query: V3AsyncQuery) -> Response:
    return _update(organization_id, identifier, body, query, replace=False)


@v3_api.route("DELETE", ITEM, summary="Delete a pass", tag=TAG, responses={200: V3Envelope[V3Identifier]},
              etag=True)
def delete_v3_pass(organization_id: str, identifier: str) -> Response:
    with transaction() as session:
        delete_pass(session, current(session, service.get_v3_pass(session, organization_id, identifier)))
    return envelope({"identifier": identifier}, description="Successfully deleted!")


def queue_bulk(organization_id: str, data: dict[str, Any], given: V3Filter, *, replace: bool) -> Response:
    """Shared by POST/PATCH /pass/bulk (api/v3/bulk.py)."""
    with transaction() as session:
        condition = filter_condition(session, organization_id, given)
        total = service.count_selected(session, condition)
        service.check_bulk_data(session, organization_id, data, policy(), total, condition)
        selection = _job_selection(session, organization_id, given)
        job = enqueue_update(session, organization_id, data, replace=replace, selection=selection, total=total)
    return envelope({"process": process_url(job.id)}, status=202, description="Queued successfully", count=total)


def _job_selection(session: Session, organization_id: str, given: V3Filter) -> dict[str, Any]:
    if given.identifiers is not None:
        return {"identifiers": given.identifiers}
    if given.segmentId is not None:  # the segment's query as it is now
        return {"query": get_segment(session, organization_id, given.segmentId).query}
    if given.query is not None:
        return {"query": given.query}
    raise BadRequest("filter needs identifiers, segmentId or query")
