"""The vendor's webhook for agreement-ended notices, as a Flask view.

Custos POSTs a compact JWS (`application/jose`, typ `notice+jwt`) to the vendor's registered
`custos_notification_uri` when an agreement ends (revoked, expired, cut by a terms change),
and retries with backoff until it gets a 2xx. The view verifies the signature, the issuer and
the audience before calling the handler; a forged or altered notice gets a 400 and never
reaches the handler. Notices may arrive more than once: key the handler on `agreement`.

    app.add_url_rule("/custos/notices", view_func=notification_view(vendor, on_notice),
                     methods=["POST"])
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request

from .client import VendorClient
from .errors import SignatureError

Handler = Callable[[dict], None]
MAX_NOTICE_BYTES = 64 * 1024


def notification_view(vendor: VendorClient, handler: Handler) -> Callable[[], Response]:
    """A Flask view: verify the notice, hand it to `handler`, acknowledge with 204."""

    def custos_notification() -> Response:
        body = request.get_data(cache=False)
        if len(body) > MAX_NOTICE_BYTES:
            return _refuse("the notice is too large", 413)
        try:
            notice = vendor.verify_notification(body)
        except SignatureError as exc:
            return _refuse(exc.description or str(exc), 400)
        handler(notice)
        return Response(status=204)

    return custos_notification


def notification_blueprint(vendor: VendorClient, handler: Handler,
                           path: str = "/custos/notifications") -> Blueprint:
    """A blueprint with the view at `path`, for apps that prefer to register blueprints."""
    bp = Blueprint("custos_notifications", __name__)
    bp.add_url_rule(path, view_func=notification_view(vendor, handler), methods=["POST"])
    return bp


def _refuse(description: str, status: int) -> Response:
    response = jsonify(error="invalid_signature", error_description=description)
    response.status_code = status
    return response
