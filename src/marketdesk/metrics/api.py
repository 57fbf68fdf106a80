"""The metrics REST API (``/api/v1/metrics``): facts in JSON, the KPI registry, runs."""

from ninja import Router

router = Router(tags=["metrics"])
