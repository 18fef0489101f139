"""OpenAPI generation (drf-spectacular): every operation documents its error answers too, and
its description is written for integrators (`described`), never taken from a docstring."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.permissions import AllowAny

from config.api.permissions import ModelPermissions
from config.roles import EDITOR, NOT_FOR_ROLES, VIEWER

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
    "401": OpenApiResponse(
        _DETAIL, description="No or invalid credentials, or a session without its second factor."
    ),
    "403": OpenApiResponse(_DETAIL, description="The user lacks the model permission."),
    "404": OpenApiResponse(_DETAIL, description="No such record, or no such page."),
    "409": OpenApiResponse(_CONFLICT, description="Other records depend on this one."),
    "429": OpenApiResponse(_DETAIL, description="Too many requests; see Retry-After."),
}


# Summaries of the standard operations, from the model's verbose names.
_SUMMARIES = {
    "list": "List {plural}",
    "create": "Create {a} {singular}",
    "retrieve": "Get {a} {singular}",
    "update": "Update {a} {singular}",
    "partial_update": "Update part of {a} {singular}",
    "destroy": "Delete {a} {singular}",
}


def described(**descriptions: str):
    """Describe a viewset's operations for integrators: `described(list="...", create="...")`,
    one entry per action (the standard ones and custom actions alike)."""
    return extend_schema_view(
        **{action: extend_schema(description=text) for action, text in descriptions.items()}
    )


class AutoSchema(SpectacularAutoSchema):
    def get_description(self) -> str:
        # Not the view's docstring, which drf-spectacular would use: docstrings are written
        # for maintainers. Every operation is described with `described` or `extend_schema`.
        return ""

    def get_summary(self) -> str | None:
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        template = _SUMMARIES.get(getattr(self.view, "action", None) or "")
        if model is None or template is None:
            return None
        singular = str(model._meta.verbose_name)
        return template.format(
            plural=model._meta.verbose_name_plural,
            singular=singular,
            a="an" if singular[0] in "aeiou" else "a",
        )

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        needed = self._model_permissions()
        if operation is not None and needed:
            model = self.view.queryset.model
            if model._meta.model_name in NOT_FOR_ROLES:
                who = "no role has it: superusers, or users granted it one by one"
            elif all(name.split(".")[1].startswith("view_") for name in needed):
                who = f"the {VIEWER} and {EDITOR} groups have it"
            else:
                who = f"the {EDITOR} group has it"
            listed = ", ".join(f"`{name}`" for name in needed)
            note = f"Permission: {listed} ({who})."
            operation["description"] = "\n\n".join(
                part for part in (operation.get("description", ""), note) if part
            )
        return operation

    def _model_permissions(self) -> list[str]:
        """The model permissions this operation needs, as ModelPermissions checks them."""
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        for permission in self.view.get_permissions():
            if isinstance(permission, ModelPermissions) and model is not None:
                return permission.get_required_permissions(self.method, model)
        return []

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


class FilterExtension(DjangoFilterExtension):
    """django-filter's parameters as drf-spectacular describes them, plus `deprecated: true` on
    the old names kept for a release (config.api.filters.deprecated_alias)."""

    target_class = "config.api.filters.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        if getattr(filter_field, "deprecated", False):
            for parameter in parameters:
                parameter["deprecated"] = True
        return parameters


def allow_empty_query_values(result, generator, request, public):
    """Postprocessing hook: an empty query parameter (`?status=`, as HTML forms and the
    browsable API send them) means "not given"; say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result
