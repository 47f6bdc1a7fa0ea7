"""Opens the vault once per app and hands it (and the email configuration) to handlers."""

from __future__ import annotations

from flask import Flask, current_app

from vault import Vault


def init_app(app: Flask) -> None:
    settings = app.config["CUSTOS_SETTINGS"]
    app.extensions["custos.vault"] = Vault.open(settings.home, settings.database_url,
                                                 master_key_file=settings.master_key_file)


def get_mail():  # -> MailConfig | None
    """The app's email configuration, or None when email is off (docs/email.md)."""
    from .services.mail import mail_config

    return mail_config(current_app.config["CUSTOS_SETTINGS"])


def get_vault() -> Vault:
    """The vault of the running app."""
    return current_app.extensions["custos.vault"]


def get_settings():
    """The running app's settings (api/config.py), for services that read one."""
    return current_app.config["CUSTOS_SETTINGS"]
