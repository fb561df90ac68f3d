"""The deep-linking response: one ``ltiResourceLink`` naming the configured activity.

Signed by the tool (``iss`` = our client id, ``aud`` = the platform), with the
platform's ``data`` echoed and a ``lineItem`` so the gradebook column is
created with the link; the browser POSTs it as ``JWT`` to the return URL.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings

from lti.claims import CLAIM
from lti.keys import sign
from lti.services.picker import Choice, custom_parameters
from lti.services.staff_forms import form_registration

__all__ = ["deep_linking_response"]

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def deep_linking_response(
    registration_id: int,
    deployment_id: str,
    data: Any,
    choice: Choice,
    title: str,
    *,
    language: str = "en",
) -> str:
    """Return the signed response JWT for ``choice``, to the platform ``registration_id``;
    raise ActivityGone (404, in ``language``) when that platform was removed since."""
    registration = form_registration(registration_id, language)
    now = int(time.time())
    item = {
        "type": "ltiResourceLink",
        "title": title,
        "url": f"{settings.BASE_URL}/lti/launch",
        "custom": custom_parameters(choice),
        "lineItem": {
            "scoreMaximum": choice.score_maximum,
            "label": title,
            "resourceId": f"koula-{secrets.token_hex(6)}",
            "tag": "koula",
        },
    }
    payload: dict[str, Any] = {
        "iss": registration.client_id,
        "aud": registration.issuer,
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(16),
        CLAIM["message_type"]: "LtiDeepLinkingResponse",
        CLAIM["version"]: "1.3.0",
        CLAIM["deployment_id"]: deployment_id,
        DL + "content_items": [item],
    }
    if data is not None:
        payload[DL + "data"] = data
    return sign(payload)
