"""The CDS services of this deployment, listed explicitly (no import-time scanning)."""

from __future__ import annotations

from ..registry import ServiceDescriptor
from . import order_select
from . import order_sign
from . import patient_view

SERVICES: tuple[ServiceDescriptor, ...] = (
    patient_view.SERVICE,
    order_select.SERVICE,
    order_sign.SERVICE,
)
