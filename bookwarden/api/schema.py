"""The OpenAPI schema's security schemes (drf-spectacular extensions), and the schema as a
dictionary for the documentation page and the schema-driven tests."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "bookwarden.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "bw_<prefix>_<secret>",
            "description": "A token made on the account page.",
        }


class AlertSourceScheme(OpenApiAuthenticationExtension):
    target_class = "bookwarden.api.authentication.AlertSourceAuthentication"
    name = "alertSource"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The alert source's secret, shown once when it was connected.",
        }


def api_schema() -> dict[str, Any]:
    """The API's OpenAPI 3 schema, as served at /api/schema/."""
    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return schema


#: What each path parameter of the API looks like, so that a client (and the schema-driven
#: tests) knows the form of an address before sending it.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    "source_key": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
    "entry_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "device_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}


def describe_path_parameters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the forms of :data:`PATH_PARAMETERS`."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in PATH_PARAMETERS:
                    parameter["schema"] = dict(PATH_PARAMETERS[parameter["name"]])
    return result
