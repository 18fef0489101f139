"""After a person's names change, stored news is scanned again for them."""

import pytest
from django.core.management import CommandError, call_command

from tracker.cases.services import detained_person_save
from tracker.models import Mention, NewsItem

pytestmark = pytest.mark.django_db


def test_rematch_finds_stored_articles_under_a_newly_added_alias(capsys):
    person = detained_person_save(name="Ilham Tohti", native_name="")
    item = NewsItem.objects.create(
        url="https://news.example.org/a", title="Economist İlham Toxti's trial opens"
    )
    NewsItem.objects.create(url="https://news.example.org/b", title="Markets rally")

    call_command("rematch", "--person", str(person.pk))
    assert not Mention.objects.exists()

    detained_person_save(person=person, aliases=["Ilham Toxti"])
    call_command("rematch", "--person", str(person.pk), "--days", "7")
    mention = Mention.objects.get()
    assert (mention.news_item, mention.person, mention.matched_terms) == (
        item,
        person,
        ["Ilham Toxti"],
    )
    assert "1 new mentions in the last 7 days" in capsys.readouterr().out

    call_command("rematch", "--person", str(person.pk))
    assert Mention.objects.count() == 1  # running it again adds nothing


def test_rematch_explains_a_wrong_person_id():
    with pytest.raises(CommandError, match="No detained person with id 999"):
        call_command("rematch", "--person", "999")
