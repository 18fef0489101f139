"""Admin actions on many records at once, each after a confirmation page (the pattern of
Django's own "Delete selected"): choosing the action renders a page listing the selected
records with the action's form (a campaign to add them to, an officer to assign, nothing to
fill in); its button posts the selection again with `apply`, and only then is the action's
one service call made, for the whole selection.

The service is the one the API's bulk endpoint calls, so both behave alike; each record it
changed gets an entry in the admin's log (its History keeps the service's versions, with the
acting user)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

APPLY = "apply"


def confirm_then_apply(
    model_admin,
    request,
    queryset,
    *,
    title: str,
    intro: str,
    button: str,
    apply: Callable[[list, dict], str],
    form_class: type[forms.Form] = forms.Form,
) -> TemplateResponse | None:
    """The confirmation page, or (when posted with `apply` and a valid form) the action done:
    `apply(objects, cleaned_data)` makes the service call and returns the message for the
    list, which Django then shows again (this returns None). A ValidationError from the
    service is shown on the list as an error, and nothing was changed."""
    objects = list(queryset)
    applying = APPLY in request.POST
    form = form_class(request.POST if applying else None)
    if applying and form.is_valid():
        try:
            message = apply(objects, form.cleaned_data)
        except ValidationError as exc:
            model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            model_admin.message_user(request, message, messages.SUCCESS)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "button": button,
        "opts": model_admin.opts,
        "objects": objects,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "apply": APPLY,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/vigil/bulk_confirm.html", context)
