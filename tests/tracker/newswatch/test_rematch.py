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


def test_rematch_after_the_rules_change_finds_every_form_once_each(capsys):
    """Items stored before issue 23's forms were matched: traditional characters, a hyphenated
    given name, the surname last, another dot. Re-scanning everyone finds each item once,
    with the forms as the record spells them, and a second run adds nothing."""
    feng = detained_person_save(name="Feng Jie", native_name="冯洁")
    tang = detained_person_save(name="Tang Wenbo", native_name="唐文博")
    ilham = detained_person_save(name="Ilham Tohti", native_name="伊力哈木·土赫提")
    detained_person_save(name="Gao Lihua", native_name="高丽华", watch_enabled=False)

    def item(slug, title, summary=""):
        return NewsItem.objects.create(
            url=f"https://news.example.org/{slug}", title=title, summary=summary
        )

    items = {
        "feng": item("feng", "馮潔被判處有期徒刑三年"),
        "tang-hyphen": item("tang-hyphen", "Tang Wen-bo transferred to Hunan prison"),
        "tang-both": item("tang-both", "Wenbo Tang (唐文博) released", "唐文博獲釋。Tang Wen-bo"),
        "ilham": item("ilham", "伊力哈木•土赫提在獄中"),
        "gao": item("gao", "高麗華案今日開庭"),  # not watched
        "other-tang": item("other-tang", "Tang Wenbo (唐文波) scores twice"),
    }

    call_command("rematch", "--all")
    found = {(m.news_item_id, m.person_id): m.matched_terms for m in Mention.objects.order_by("pk")}
    assert found == {
        (items["feng"].pk, feng.pk): ["冯洁"],
        (items["tang-hyphen"].pk, tang.pk): ["Tang Wenbo"],
        (items["tang-both"].pk, tang.pk): ["Tang Wenbo", "唐文博"],
        (items["ilham"].pk, ilham.pk): ["伊力哈木·土赫提"],
    }
    assert "Everyone watched: 4 new mentions in the last 30 days" in capsys.readouterr().out
    # Staff still see the article as written.
    assert Mention.objects.get(person=feng).news_item.title == "馮潔被判處有期徒刑三年"

    call_command("rematch", "--all")
    assert Mention.objects.count() == 4
    assert "Everyone watched: 0 new mentions" in capsys.readouterr().out


def test_rematch_asks_for_a_person_or_everyone():
    with pytest.raises(CommandError, match="one of the arguments --person --all is required"):
        call_command("rematch")
