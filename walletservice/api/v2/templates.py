"""/v2/templates: list, create, get, delete (v2/templates.md)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from sqlalchemy.orm import Session

from walletservice.api.preconditions import current
from walletservice.api.schemas.common import DeletedResponse, ErrorObject, PageQuery
from walletservice.api.schemas.templates import TemplateBody, TemplateDeleteBody, TemplateResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.models import Organization, Template
from walletservice.services import templates as template_service
from walletservice.services.collection_filters import CollectionQuery

TAG = "Templates"


def _present(_session: Session, templates: Sequence[Template]) -> list[TemplateResponse]:
    return [TemplateResponse.build(template) for template in templates]


@v2_api.route("GET", "/templates", summary="List templates", tag=TAG, query=PageQuery,
              filters=template_service.TEMPLATE_FILTERS, paginated=True,
              responses={200: list[TemplateResponse]})
def list_templates(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
    return collection_response(template_service.templates_of(organization_id), template_service.TEMPLATE_FILTERS,
                               filters, query, _present)


@v2_api.route("POST", "/templates", summary="Create a template", tag=TAG, json_body=TemplateBody,
              responses={201: TemplateResponse},
              description="Campaigns also generate one when created, and when a template-related field changes.")
def create_template(organization_id: str, body: TemplateBody) -> Response:
    with transaction() as session:
        organization = session.get(Organization, organization_id)
        attributes = body.template.model_dump(exclude_unset=True)
        template = template_service.create_template(session, organization, attributes)
        response = TemplateResponse.build(template)
    return json_response(response, 201)


@v2_api.route("GET", "/templates/<uuid:template_id>", summary="Get a template", tag=TAG,
              responses={200: TemplateResponse}, etag=True)
def get_template(organization_id: str, template_id: str) -> Response:
    with transaction(write=False) as session:
        response = TemplateResponse.build(current(session, template_service.get_template(
            session, organization_id, template_id)))
    return json_response(response)


@v2_api.route("DELETE", "/templates/<uuid:template_id>", summary="Delete a template", tag=TAG,
              json_body=TemplateDeleteBody, responses={200: DeletedResponse, 412: ErrorObject},
              description="412 while a campaign uses the template.", etag=True)
def delete_template(organization_id: str, template_id: str, body: TemplateDeleteBody) -> Response:
    with transaction() as session:
        current(session, template_service.get_template(session, organization_id, template_id))
        template_service.delete_template(session, organization_id, template_id,
                                         delete_assets=body.template.delete_assets)
    return json_response(DeletedResponse())
