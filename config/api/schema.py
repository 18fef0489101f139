"""OpenAPI generation (drf-spectacular): every operation documents its error answers too."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_SCHEMA = {
    "type": "object",
    "description": "Field or query parameter name → list of messages (`non_field_errors` for "
    "errors about the whole record). Nested fields nest the same way.",
    "additionalProperties": {},
}
_CONFLICT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "protected": {
            "type": "object",
            "description": "The kinds of records that depend on this one, with their counts.",
            "additionalProperties": {"type": "integer"},
        },
    },
    "required": ["detail"],
}

ERRORS = {
    "400": OpenApiResponse(VALIDATION_SCHEMA, description="Invalid input or query parameter."),
    "401": OpenApiResponse(_DETAIL, description="No or invalid credentials."),
    "403": OpenApiResponse(_DETAIL, description="The user lacks the model permission."),
    "404": OpenApiResponse(_DETAIL, description="No such record, or no such page."),
    "409": OpenApiResponse(_CONFLICT, description="Other records depend on this one."),
    "429": OpenApiResponse(_DETAIL, description="Too many requests; see Retry-After."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "404", "429"]
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if self.method == "DELETE":
            codes.append("409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ERRORS[code], code)
        return dict(sorted(responses.items()))


def allow_empty_query_values(result, generator, request, public):
    """Postprocessing hook: an empty query parameter (`?status=`, as HTML forms and the
    browsable API send them) means "not given"; say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result
