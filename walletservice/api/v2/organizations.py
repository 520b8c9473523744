"""Organizations (v2/organizations.md): child accounts under the caller's."""

from __future__ import annotations

from flask import Response, current_app

from walletservice.api.schemas.common import ErrorObject, PageQuery
from walletservice.api.schemas.organizations import OrganizationCreate, OrganizationResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.services import organizations as organization_service
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.webhooks import set_webhook_authorization, set_webhook_url

TAG = "Organizations"


@v2_api.route("POST", "/organizations", summary="Create a child organization", tag=TAG,
              json_body=OrganizationCreate, responses={201: OrganizationResponse, 412: ErrorObject},
              description="Answers with the new organization's credentials; api_password is shown "
                          "only now. 412 once the caller has "
                          f"{organization_service.MAX_CHILD_ORGANIZATIONS} child organizations.")
def create_organization(organization_id: str, body: OrganizationCreate) -> Response:
    with transaction() as session:
        issued = organization_service.create_child_organization(session, organization_id, body.chosen_name)
        if body.webhook_url is not None:
            set_webhook_url(session, issued.organization, body.webhook_url, current_app.config["WALLET_SECRET_KEY"],
                            allow_private=current_app.config["WALLET_WEBHOOK_ALLOW_PRIVATE"])
        if body.webhook_authorization is not None:
            set_webhook_authorization(session, issued.organization, body.webhook_authorization,
                                      current_app.config["WALLET_SECRET_KEY"])
        response = OrganizationResponse.build(issued.organization, issued.api_key)
    return json_response(response, 201)


@v2_api.route("GET", "/organizations", summary="List child organizations", tag=TAG, query=PageQuery,
              filters=organization_service.ORGANIZATION_FILTERS, paginated=True,
              responses={200: list[OrganizationResponse]},
              description="api_password is null here: only a hash of each key is stored.")
def list_organizations(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
    return collection_response(
        organization_service.children_of(organization_id), organization_service.ORGANIZATION_FILTERS,
        filters, query, lambda _session, rows: [OrganizationResponse.build(row) for row in rows],
    )


@v2_api.route("POST", "/organizations/<uuid:child_id>/refresh_api_password",
              summary="Issue a new API key for a child organization", tag=TAG,
              responses={200: OrganizationResponse},
              description="Every earlier key of that organization stops working at once.")
def refresh_api_password(organization_id: str, child_id: str) -> Response:
    with transaction() as session:
        issued = organization_service.refresh_child_api_key(session, organization_id, child_id)
        response = OrganizationResponse.build(issued.organization, issued.api_key)
    return json_response(response)
