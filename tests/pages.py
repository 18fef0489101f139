"""Reading admin pages as a user does: their text, and the cells of a table."""

import html
import re


def _text(markup: str) -> str:
    """Markup as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def text_of(response) -> str:
    return text_of_markup(response.content.decode())


def text_of_markup(page: str) -> str:
    return _text(re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S))


def table_rows(response, table_id: str) -> list[list[str]]:
    """The body cells of the table with this id, row by row, as text."""
    page = response.content.decode()
    table = re.search(rf'<table\b[^>]*\bid="{table_id}"[^>]*>(.*?)</table>', page, flags=re.S)
    assert table, f"no table #{table_id} in the page"
    body = table.group(1).split("</thead>")[-1]
    return [
        [_text(cell) for cell in re.findall(r"<td\b[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, flags=re.S)
    ]
