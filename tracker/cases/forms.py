from django import forms
from django.core.exceptions import ValidationError
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from config.uploads import validate_upload_size
from tracker.admin_widgets import QUICK_RENDERER
from tracker.cases.models import CaseDocument, CaseNote


class StringListField(forms.CharField):
    """Edits a list of strings as a textarea with one entry per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class CaseNoteForm(forms.ModelForm):
    """A new internal note, on the case's page (DetainedPersonAdmin.add_note_view)."""

    default_renderer = QUICK_RENDERER
    prefix = "note"

    class Meta:
        model = CaseNote
        fields = ["written_on", "text"]
        labels = {"text": "Note"}
        widgets = {
            "written_on": UnfoldAdminSingleDateWidget,
            "text": UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        }


class CaseDocumentForm(forms.ModelForm):
    """A new document, on the case's page (DetainedPersonAdmin.add_document_view): the upload
    rules of a letter response's scan (config.uploads)."""

    default_renderer = QUICK_RENDERER

    prefix = "document"

    class Meta:
        model = CaseDocument
        fields = ["title", "kind", "dated", "file"]
        widgets = {
            "title": UnfoldAdminTextInputWidget,
            "kind": UnfoldAdminSelectWidget,
            "dated": UnfoldAdminSingleDateWidget,
            "file": UnfoldAdminFileFieldWidget,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(validate_upload_size)
