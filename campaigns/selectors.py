"""Reads for campaigns, letters and signatures."""

from campaigns.models import Letter, Signature


def letter_signature_changes(*, letter: Letter, limit: int) -> list:
    """The latest `limit` signatures added to or removed from a letter (Signature history
    versions "+" and "-"), newest first, with who signed and who made the change: one query."""
    return list(
        Signature.history.filter(letter_id=letter.pk, history_type__in=["+", "-"])
        .select_related("history_user", "organization", "person")
        .order_by("-history_date", "-history_id")[:limit]
    )
