"""A campaign's one distribution (Passworks' `distributions`, `downloadPage`): its page,
services.campaign_pages. Its id is derived from the campaign's, so it is stable and needs
no row: campaign answers list it and webhooks name it (`distribution_id`)."""

from __future__ import annotations

import uuid

# A fixed namespace: each campaign's distribution id is uuid5(namespace, campaign id).
_DISTRIBUTION_NAMESPACE = uuid.UUID("2f0d9a4e-7c1b-4f7e-9a53-1d6c8e0b4a72")


def distribution_id(campaign_id: str) -> str:
    return str(uuid.uuid5(_DISTRIBUTION_NAMESPACE, campaign_id))
