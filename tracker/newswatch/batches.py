"""Search batches: several watched people asked for in one query, the OR of all their name forms.

A batch holds as many people as fit the source's two limits: people per query, and the query's
length as sent (URL-encoded, so a Chinese name counts nine characters a character). A person
whose forms alone exceed the length is asked for alone. What an answer names is found by the
matcher against the whole watch list, as for any item, so a batch needs no bookkeeping of who
was asked for beyond marking them searched.
"""

from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote_plus

from tracker.newswatch.matching import WatchedPerson, search_terms

_OR = len(quote_plus(" OR "))
_PARENTHESES = len(quote_plus("()"))


def batch_query(people: Iterable[WatchedPerson], *, grouped: bool) -> str:
    """'("Wang Fang" OR "王芳" OR "Li Heping")': every form of every person, a form two people
    share asked once. `grouped` puts an OR of several terms in parentheses (for a provider
    whose syntax requires them, as its kind declares; a lone phrase must go without)."""
    terms = list(dict.fromkeys(t for person in people for t in search_terms(person.name_forms)))
    text = " OR ".join(terms)
    return f"({text})" if grouped and len(terms) > 1 else text


def _encoded_length(term_chars: int, terms: int, *, grouped: bool) -> int:
    """The URL-encoded length of an OR of `terms` terms of `term_chars` encoded characters."""
    if terms == 0:
        return 0
    return term_chars + _OR * (terms - 1) + (_PARENTHESES if grouped and terms > 1 else 0)


def pack_batches(
    people: Iterable[WatchedPerson], *, max_chars: int, max_people: int, grouped: bool
) -> Iterator[list[WatchedPerson]]:
    """The people in order, cut into batches whose query (as batch_query writes it, once
    URL-encoded) is at most `max_chars` long and names at most `max_people` people."""
    batch: list[WatchedPerson] = []
    terms: set[str] = set()
    chars = 0  # the batch's terms, encoded, without the ORs between them
    for person in people:
        own = [t for t in search_terms(person.name_forms) if t not in terms]
        more = sum(len(quote_plus(t)) for t in own)
        too_long = _encoded_length(chars + more, len(terms) + len(own), grouped=grouped) > max_chars
        if batch and (len(batch) >= max_people or too_long):
            yield batch
            batch, terms, chars = [], set(), 0
            own = search_terms(person.name_forms)
            more = sum(len(quote_plus(t)) for t in own)
        batch.append(person)
        terms.update(own)
        chars += more
    if batch:
        yield batch


def split(batch: Sequence[WatchedPerson]) -> tuple[list[WatchedPerson], list[WatchedPerson]]:
    middle = (len(batch) + 1) // 2
    return list(batch[:middle]), list(batch[middle:])
