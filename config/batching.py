"""Long lists split for `IN (...)` look-ups and multi-row statements."""

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Values per IN (...) look-up: below every supported database's limit on parameters.
IN_LIST_SIZE = 900


def chunks(values: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """`values` in consecutive slices of at most `size` (a set or generator is listed first)."""
    items = values if isinstance(values, Sequence) else list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]
