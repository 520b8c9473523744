"""A campaign's remote form (advanced-features.md): the fields to ask for, and the submission
that issues the pass. The campaign's page sends customers to its remote_form_url
(walletservice.web.campaign_pages)."""

from __future__ import annotations

from flask import Response

from walletservice.api.schemas.common import ErrorObject
from walletservice.api.schemas.passes import PassResponse
from walletservice.api.schemas.remote_forms import RemoteFormFieldsResponse, RemoteFormSubmission
from walletservice.api.v2 import v2_api
from walletservice.api.v2.passes import pass_response
from walletservice.api.v2.responses import json_response
from walletservice.db import transaction
from walletservice.services import remote_forms
from walletservice.services.passes import create_integrator_pass

TAG = "Remote forms"
BASE = "/remote_forms/<uuid:campaign_id>"


@v2_api.route("GET", f"{BASE}/fields", summary="The fields a campaign's form asks for", tag=TAG,
              responses={200: RemoteFormFieldsResponse},
              description="Any type of campaign. Dynamic fields are what a form submits; static ones the "
                          "campaign fixes.")
def remote_form_fields(organization_id: str, campaign_id: str) -> Response:
    with transaction(write=False) as session:
        campaign = remote_forms.get_any_campaign(session, organization_id, campaign_id)
        response = RemoteFormFieldsResponse.model_validate(remote_forms.form_fields(campaign))
    return json_response(response)


@v2_api.route("POST", f"{BASE}/submit", summary="Issue a pass from a form's submission", tag=TAG,
              json_body=RemoteFormSubmission, responses={201: PassResponse, 412: ErrorObject},
              description="The dynamic fields' values at the top level, by key (any other key is 422); "
                          "beacons and locations replace the campaign's; barcodes[0] is the pass's barcode. "
                          "Answers the pass: send the customer to its page_short_url. A paused or archived "
                          "campaign issues none (412).")
def submit_remote_form(organization_id: str, campaign_id: str, body: RemoteFormSubmission) -> Response:
    with transaction() as session:
        campaign = remote_forms.get_any_campaign(session, organization_id, campaign_id)
        attributes = remote_forms.submitted_pass_attributes(
            campaign, body.values,
            locations=[item.model_dump(exclude_none=True) for item in body.locations or []] if body.locations else None,
            beacons=[item.model_dump(mode="json", exclude_none=True) for item in body.beacons or []]
            if body.beacons else None,
            barcodes=[item.model_dump(exclude_none=True) for item in body.barcodes] if body.barcodes else None)
        pass_ = create_integrator_pass(session, campaign, attributes)
        response = pass_response(pass_, campaign)
    return json_response(response, 201)
