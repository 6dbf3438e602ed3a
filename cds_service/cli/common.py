"""What every command needs: the settings, read once, and the instance folder."""

from __future__ import annotations

import os

import click
from flask import Flask

from ..config import Settings
from ..config import SettingsError


def load_settings() -> Settings:
    """Parse the ``CDS_*`` variables; a bad one ends the command with one line, exit 1."""
    try:
        return Settings.load(os.environ)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def instance_path() -> str:
    """The folder ``create_app`` keeps its SQLite file and development keys in."""
    return Flask("cds_service", instance_relative_config=True).instance_path
