"""Errors that carry data, rendered as JSON under /api/ and as a page everywhere else."""

from __future__ import annotations

import logging
import traceback

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as NoRoute

from vault import errors as vault_errors

from .services.errors import CustosError, InvalidInput, NotFound

__all__ = ["CustosError", "InvalidInput", "NotFound", "init_app", "render_error"]

log = logging.getLogger("custos")


def _wants_json() -> bool:
    """Machine endpoints answer JSON; the authorization endpoint is a page a person sees."""
    return request.path.startswith(("/api/", "/oauth/", "/.well-known/")) \
        and request.path != "/oauth/authorize"


def render_error(status: int, error: str, description: str, fields: dict | None = None) -> Response:
    if _wants_json():
        body = {"error": error, "error_description": description}
        if fields:
            body["fields"] = fields
        response = jsonify(body)
    else:
        if status == 404 and description == NoRoute.description:  # the framework's words
            description = ("There is no page at this address. The link may be mistyped, "
                           "or what it showed is gone.")
        response = Response(render_template("error.html", status=status,
                                            description=description), mimetype="text/html")
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CustosError)
    def _custos(exc: CustosError):
        return render_error(exc.status_code, exc.error, exc.description, exc.fields)

    @app.errorhandler(vault_errors.NotFound)
    def _gone(exc: vault_errors.NotFound):
        return render_error(404, "not_found", "There is nothing here, or it is not yours.")

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(400, "csrf_failed", "This form has expired or did not come from "
                            "Custos. Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = render_error(exc.code or 500, exc.name.lower().replace(" ", "_"),
                                exc.description or exc.name)
        if exc.code == 429:
            retry = getattr(exc, "retry_after", None)
            if retry:
                response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Log the type and place only: an exception message may hold a personal value.
        log.error("unexpected %s at %s %s\n%s", type(exc).__name__, request.method,
                  request.path, "".join(traceback.format_tb(exc.__traceback__)))
        return render_error(500, "server_error", "Something went wrong on our side.")
