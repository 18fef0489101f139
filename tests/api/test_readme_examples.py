"""Every example of the README's "The REST API" section works on the demo data, as `make run`
leaves it: the shell block is read from README.md and run, line by line, through the API client.

It understands the few shell forms the block uses (a manage.py command, `NAME=value`,
`NAME=$(curl ... | jq '.path')`, `cat > file <<'TAG'`, and curl with -H, -X, -d, -F, -s); any
other line fails the test, so the README cannot grow an example this test skips."""

import io
import re
import shlex
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from campaigns.models import Letter, LetterResponse, Signature
from tracker.models import CaseEvent

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"


def _api_block() -> list[str]:
    """The logical lines of the first shell block in "The REST API" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The REST API\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    return block.replace("\\\n", " ").splitlines()


def _jq(document, path: str):
    """The subset of jq the README uses: `.key` and `[index]` steps."""
    for key, index in re.findall(r"\.(\w+)|\[(\d+)\]", path):
        document = document[key] if key else document[int(index)]
    return document


class ReadmeShell:
    def __init__(self):
        self.env: dict[str, str] = {}
        self.files: dict[str, bytes] = {}
        self.last_output = ""
        self.calls: list[tuple[str, object]] = []  # (the command, the response)

    def run(self, lines: list[str]) -> None:
        lines = iter(lines)
        for line in lines:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if heredoc := re.fullmatch(r"cat > (\S+) <<'(\w+)'", line.strip()):
                name, tag = heredoc.groups()
                body = []
                for body_line in lines:
                    if body_line == tag:
                        break
                    body.append(body_line)
                self.files[name] = ("\n".join(body) + "\n").encode()
            elif captured := re.fullmatch(r"(\w+)=\$\((curl .*) \| jq '([^']*)'\)", line.strip()):
                name, command, path = captured.groups()
                response = self.curl(command)
                self.env[name] = str(_jq(response.json(), path))
            elif assignment := re.fullmatch(r"(\w+)=(.*)", line.strip()):
                name, value = assignment.groups()
                words = shlex.split(self.expand(value), comments=True)
                if words == ["..."]:  # "the key it printed"
                    self.env[name] = re.search(r"\b[0-9a-f]{40}\b", self.last_output).group()
                else:
                    (self.env[name],) = words
            elif line.startswith(".venv/bin/python manage.py "):
                out = io.StringIO()
                call_command(*shlex.split(line)[2:], stdout=out)
                self.last_output = out.getvalue()
            elif line.startswith("curl "):
                self.curl(line)
            else:
                pytest.fail(f"README line not understood by this test: {line!r}")

    def expand(self, text: str) -> str:
        return Template(text).substitute(self.env)  # an unknown $NAME is a KeyError

    def curl(self, command: str):
        words = iter(shlex.split(self.expand(command), comments=True)[1:])
        method, url, body, form, headers = None, None, None, {}, {}
        for word in words:
            if word == "-s":
                continue
            elif word == "-H":
                name, value = next(words).split(": ", 1)
                headers[name] = value
            elif word == "-X":
                method = next(words)
            elif word == "-d":
                body = next(words)
            elif word == "-F":
                field, value = next(words).split("=", 1)
                if value.startswith("@"):
                    value = SimpleUploadedFile(value[1:], self.files[value[1:]])
                form[field] = value
            else:
                assert url is None, f"two URLs in {command!r}"
                url = word
        base = urlsplit(self.env["API"])
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc), url
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        client = APIClient()
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        content_type = extra.pop("HTTP_CONTENT_TYPE", "application/x-www-form-urlencoded")
        if form:
            response = client.post(path, form, format="multipart", **extra)
        elif body is not None:
            response = client.generic(method or "POST", path, body, content_type, **extra)
        else:
            response = client.generic(method or "GET", path, **extra)
        self.calls.append((command, response))
        return response


@pytest.fixture
def readme(django_user_model) -> ReadmeShell:
    """The README's block, run after what `make run` sets up: the demo data and the `admin`
    superuser."""
    call_command("seed_demo")
    django_user_model.objects.create_superuser("admin", "", "not the generated one")
    shell = ReadmeShell()
    shell.run(_api_block())
    return shell


def _results(shell: ReadmeShell, url_part: str) -> list[dict]:
    (response,) = [r for command, r in shell.calls if url_part in command and " -s " not in command]
    return response.json()["results"]


def test_every_rest_api_example_in_the_readme_returns_something_on_the_demo_data(readme):
    assert len(readme.calls) == sum(line.count("curl ") for line in _api_block())
    for command, response in readme.calls:
        assert 200 <= response.status_code < 300, (command, response.status_code, response.data)
        body = response.json()
        if "results" in body:
            assert body["results"], f"no results: {command}"
    assert CaseEvent.objects.filter(kind="hearing", date="2022-08-25").count() == 1
    assert Signature.objects.filter(note="an example row").count() == 2
    (example,) = LetterResponse.objects.filter(summary__startswith="An example")
    assert example.letter.title.startswith("NGOs'")
    assert Letter.objects.get(pk=example.letter_id).status == "responded"


def test_the_readme_examples_find_what_their_comments_say(readme):
    assert [p["name"] for p in _results(readme, "?search=doan%20trang")] == ["Pham Doan Trang"]
    assert [p["name"] for p in _results(readme, "?search=%E5%88%98%E9%9C%9E")] == ["Liu Xia"]
    open_cases = _results(readme, "?status=")
    # Newest detention first: the demo's three invented cases (dated from the day it is loaded)
    # before the two real cases still open.
    assert [p["name"] for p in open_cases] == [
        "Zhao Hailin",
        "Lin Qiuyue",
        "He Wenjing",
        "Pham Doan Trang",
        "Xu Zhiyong",
    ]
    # The timeline is read before the README records the appeal hearing.
    (answer,) = _results(readme, "letter-responses/?campaign=")
    assert (answer["received_on"], answer["organization"]) == ("2015-09-25", None)
    (letter,) = [r for c, r in readme.calls if c.endswith('/letters/$LETTER/"')]
    assert [s["answered_on"] for s in letter.json()["recipients_status"]] == [None]
    timeline = _results(readme, "case-events/?person=")
    assert [(e["date"], e["kind"]) for e in timeline] == [
        ("2021-12-14", "sentenced"),
        ("2020-10-06", "arrested"),
    ]
