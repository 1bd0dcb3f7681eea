"""Schema post-processing that applies to every area of the API."""

from __future__ import annotations

from typing import Any

from vanban.api.serializers.common import ERROR_DESCRIPTIONS

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def document_invalid_page(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Every paginated list answers 404 for a page past the end (DRF's "Invalid page."):
    say so once here rather than in each list view."""
    if "Error" not in result.get("components", {}).get("schemas", {}):
        return result
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])):
                operation["responses"].setdefault(
                    "404",
                    {
                        "content": {"application/json": {"schema": ERROR_REF}},
                        "description": ERROR_DESCRIPTIONS[404],
                    },
                )
    return result
