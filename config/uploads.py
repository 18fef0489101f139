"""The rules of uploaded files, for every model and form that takes one (a letter response's
scan, a case's document): what a file may be, and how large (settings.UPLOAD_MAX_BYTES)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# What an uploaded file may be: documents, images and saved emails, nothing a browser would
# run (the admin serves them as downloads all the same).
UPLOAD_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "gif", "webp", "tif", "tiff"]
UPLOAD_EXTENSIONS += ["doc", "docx", "odt", "rtf", "txt", "eml", "msg"]


def _size(n: int) -> str:
    return filesizeformat(n).replace("\xa0", " ")


def validate_upload_size(upload) -> None:
    """Refuses a file over UPLOAD_MAX_BYTES, as an error of the form's file field.

    Django has stored the upload in a temporary file by then (over FILE_UPLOAD_MAX_MEMORY_SIZE)
    and bounds no request body with files in it: the proxy in front caps the request itself."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            "The file is %(size)s; the largest accepted is %(limit)s.",
            code="file_too_large",
            params={"size": _size(upload.size), "limit": _size(limit)},
        )
