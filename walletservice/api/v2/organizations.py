"""Organizations (v2/organizations.md): child accounts under the caller's."""

from __future__ import annotations

from flask import Response, current_app

from walletservice.api.schemas.common import ErrorObject, PageQuery
from walletservice.api.schemas.organizations import (
    GoogleAccountResponse, GoogleAccountUpdate, OrganizationCreate, OrganizationResponse,
)
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.services import google_accounts
from walletservice.services import organizations as organization_service
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.google_issuers import trusted_token_uris
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


GOOGLE_ACCOUNT = "/organizations/<uuid:child_id>/google_wallet"


@v2_api.route("GET", GOOGLE_ACCOUNT, summary="Show an organization's own Google Wallet issuer", tag=TAG,
              responses={200: GoogleAccountResponse},
              description="The caller's own id or a child organization's. The private key is never answered.")
def get_google_account(organization_id: str, child_id: str) -> Response:
    with transaction(write=False) as session:
        target = organization_service.organization_in_reach(session, organization_id, child_id)
        row = google_accounts.own_account(session, target.id)
        response = GoogleAccountResponse.build(google_accounts.summarize(row) if row else None)
    return json_response(response)


@v2_api.route("PUT", GOOGLE_ACCOUNT, summary="Set an organization's own Google Wallet issuer", tag=TAG,
              json_body=GoogleAccountUpdate, responses={200: GoogleAccountResponse},
              description="Its passes are then issued under this issuer id and service account instead of "
                          "the server's: every Google-enabled campaign is synced again. 422 when the key "
                          "is not a service account key with an RSA private key.")
def set_google_account(organization_id: str, child_id: str, body: GoogleAccountUpdate) -> Response:
    with transaction() as session:
        target = organization_service.organization_in_reach(session, organization_id, child_id)
        row = google_accounts.set_own_account(session, target, body.issuer_id, body.service_account,
                                              current_app.config["WALLET_SECRET_KEY"],
                                              trusted_token_uris(current_app.config))
        response = GoogleAccountResponse.build(google_accounts.summarize(row))
    return json_response(response)


@v2_api.route("DELETE", GOOGLE_ACCOUNT, summary="Go back to the server's Google Wallet issuer", tag=TAG,
              responses={200: GoogleAccountResponse},
              description="Every Google-enabled campaign is synced again under the server's issuer.")
def remove_google_account(organization_id: str, child_id: str) -> Response:
    with transaction() as session:
        target = organization_service.organization_in_reach(session, organization_id, child_id)
        google_accounts.remove_own_account(session, target)
    return json_response(GoogleAccountResponse.build(None))
