"""One search for everything (#20 §1): the admin's search page (the box on every admin page
leads there) and GET /api/search/, for each role: a Viewer, a role that may view only cases,
a superuser, and users who may view nothing or are not signed in."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.models import Campaign, Letter, Organization, Person
from config.roles import VIEWER
from tracker.cases.services import detained_person_save
from tracker.models import NewsItem

pytestmark = pytest.mark.django_db

SEARCH = "/admin/search/"
API = "/api/search/"


@pytest.fixture
def records():
    """One record of each kind that a search for "Xu Zhiyong" (or a part of it) finds, plus
    a case with accents and another script, and a lawyer's name (a restricted field)."""
    xu = detained_person_save(
        name="Xu Zhiyong",
        native_name="许志永",
        aliases=["Hsu Chih-yung"],
        country="CN",
        lawyer="Barrister Quillfeather",
    )
    trang = detained_person_save(name="Phạm Đoan Trang", country="VN")
    organization = Organization.objects.create(name="Friends of Xu Zhiyong")
    official = Person.objects.create(full_name="Wendell Ambassadorson", title="Ambassador")
    campaign = Campaign.objects.create(name="Free Xu Zhiyong", slug="free-xu")
    letter = Letter.objects.create(title="Appeal on the New Citizens Movement", campaign=campaign)
    letter.recipients.set([official])
    news = NewsItem.objects.create(
        url="https://news.example.org/xu",
        title="Xu Zhiyong sentenced to 14 years",
        published_at=datetime.datetime(2023, 4, 10, tzinfo=datetime.UTC),
    )
    return {
        "case": xu,
        "accented": trang,
        "organization": organization,
        "person": official,
        "campaign": campaign,
        "letter": letter,
        "news": news,
    }


def staff(django_user_model, name, *perms, **extra):
    user = django_user_model.objects.create_user(name, password="x", is_staff=True, **extra)
    user.user_permissions.set(
        Permission.objects.get(content_type__app_label=p.split(".")[0], codename=p.split(".")[1])
        for p in perms
    )
    return user


@pytest.fixture
def viewer_staff(django_user_model):
    from django.contrib.auth.models import Group

    user = staff(django_user_model, "viewing")
    user.groups.add(Group.objects.get(name=VIEWER))
    return user


@pytest.fixture
def cases_only(django_user_model):
    return staff(django_user_model, "casework", "tracker.view_detainedperson")


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x")


def page(user, q) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def api(client_for, user, q, **params):
    response = client_for(user).get(API, {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def found(body) -> dict[str, list[str]]:
    """kind -> titles, from the API's answer."""
    return {group["kind"]: [item["title"] for item in group["items"]] for group in body["results"]}


# --- The admin's page --------------------------------------------------------------------------


def test_every_admin_page_has_a_search_box_with_a_label(client, root, records):
    client.force_login(root)
    for url in [
        reverse("admin:index"),
        reverse("admin:tracker_detainedperson_changelist"),
        reverse("admin:campaigns_letter_change", args=[records["letter"].pk]),
    ]:
        html = client.get(url).content.decode()
        assert f'action="{SEARCH}"' in html, url
        assert 'role="search"' in html
        assert '<label for="vigil-search-q"' in html
        assert 'name="q"' in html


def test_a_superuser_finds_every_kind_each_a_link_to_its_page(root, records):
    html = page(root, "xu zhiyong")
    for kind, heading in [
        ("case", "Cases"),
        ("organization", "Organizations"),
        ("campaign", "Campaigns"),
        ("news", "News items"),
    ]:
        assert heading in html, kind
    for name, url_name in [
        ("case", "admin:tracker_detainedperson_change"),
        ("organization", "admin:campaigns_organization_change"),
        ("campaign", "admin:campaigns_campaign_change"),
        ("news", "admin:tracker_newsitem_change"),
    ]:
        assert f'href="{reverse(url_name, args=[records[name].pk])}"' in html, name


def test_cases_are_found_by_every_name_form_ignoring_case_accents_and_hyphens(root, records):
    change = reverse("admin:tracker_detainedperson_change", args=[records["case"].pk])
    for q in ["XU ZHIYONG", "许志永", "hsu chih yung", "Hsu Chih-Yung"]:
        assert f'href="{change}"' in page(root, q), q
    accented = reverse("admin:tracker_detainedperson_change", args=[records["accented"].pk])
    assert f'href="{accented}"' in page(root, "pham doan trang")


@pytest.mark.parametrize(
    "q",
    ["馮潔", "冯洁", "Feng Jie", "Jie Feng", "Tang Wen-bo", "Wenbo TANG", "伊力哈木•土赫提"],
)
def test_cases_are_found_in_every_form_their_names_are_written_in(root, client_for, q):
    """Recorded the usual way (pinyin and simplified characters): found by the page and the API
    under the other script, the romanisation variants and a name's dots (issue 23)."""
    people = {
        detained_person_save(name="Feng Jie", native_name="冯洁").pk,
        detained_person_save(name="Tang Wenbo", native_name="唐文博").pk,
        detained_person_save(name="Ilham Tohti", native_name="伊力哈木·土赫提").pk,
    }
    html = page(root, q)
    hits = [
        pk
        for pk in people
        if f'href="{reverse("admin:tracker_detainedperson_change", args=[pk])}"' in html
    ]
    assert len(hits) == 1, q
    body = api(client_for, root, q)
    (cases,) = [group for group in body["results"] if group["kind"] == "cases"]
    assert [item["id"] for item in cases["items"]] == hits


def test_news_items_and_names_in_chinese_are_found_in_either_script(root, client_for):
    traditional = NewsItem.objects.create(url="https://news.example.org/t", title="馮潔案今日開庭")
    simplified = NewsItem.objects.create(url="https://news.example.org/s", title="冯洁案今日开庭")
    organization = Organization.objects.create(name="中國人權律師團")
    for q in ["馮潔", "冯洁"]:
        titles = found(api(client_for, root, q))["news_items"]
        assert sorted(titles) == sorted([traditional.title, simplified.title]), q
    assert found(api(client_for, root, "中国人权"))["organizations"] == [organization.name]


def test_letters_are_found_by_title_and_by_their_recipients(root, records):
    letter = reverse("admin:campaigns_letter_change", args=[records["letter"].pk])
    person = reverse("admin:campaigns_person_change", args=[records["person"].pk])
    assert f'href="{letter}"' in page(root, "new citizens")
    html = page(root, "ambassadorson")
    assert f'href="{letter}"' in html and f'href="{person}"' in html


def test_an_empty_search_says_no_results_for_what_was_asked(root, records):
    html = page(root, "Zzyzx")
    assert "No results for “Zzyzx”." in html


def test_a_viewer_finds_every_kind(viewer_staff, records):
    html = page(viewer_staff, "xu zhiyong")
    for text in ["Xu Zhiyong (许志永)", "Friends of Xu Zhiyong", "Free Xu Zhiyong", "sentenced"]:
        assert text in html


def test_a_role_that_may_view_only_cases_finds_only_cases(cases_only, records):
    html = page(cases_only, "xu zhiyong")
    assert "Xu Zhiyong (许志永)" in html
    for hidden in ["Friends of Xu Zhiyong", "Free Xu Zhiyong", "sentenced to 14 years"]:
        assert hidden not in html
    assert "Ambassadorson" not in page(cases_only, "ambassadorson")


def test_restricted_fields_are_never_searched(viewer_staff, root, records):
    for user in [viewer_staff, root]:
        html = page(user, "Quillfeather")
        assert "No results for “Quillfeather”." in html
        assert "Xu Zhiyong" not in html


def test_staff_who_may_view_nothing_searched_are_refused(django_user_model, records):
    client = Client()
    client.force_login(staff(django_user_model, "nothing"))
    assert client.get(SEARCH, {"q": "xu"}).status_code == 403


def test_the_search_page_needs_a_signed_in_staff_session_with_its_second_factor(
    client, records, viewer_staff, settings
):
    response = client.get(SEARCH, {"q": "xu"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    settings.REQUIRE_2FA = True
    TOTPDevice.objects.create(user=viewer_staff, name="default", confirmed=True)
    client.force_login(viewer_staff)  # the password alone
    response = client.get(SEARCH, {"q": "xu"})
    assert response.status_code == 302 and "Xu Zhiyong" not in response.content.decode()


def test_the_themes_menu_filter_still_answers_at_the_same_address(client, root):
    client.force_login(root)
    response = client.get(SEARCH, {"s": "detained"})
    assert response.status_code == 200
    assert "Detained persons" in response.content.decode()


# --- GET /api/search/ ---------------------------------------------------------------------------


def test_the_api_gives_the_same_results_grouped_by_kind(client_for, root, records):
    body = api(client_for, root, "xu zhiyong")
    assert body["q"] == "xu zhiyong"
    assert [group["kind"] for group in body["results"]] == [
        "cases",
        "organizations",
        "people",
        "campaigns",
        "letters",
        "news_items",
    ]
    assert found(body) == {
        "cases": ["Xu Zhiyong (许志永)"],
        "organizations": ["Friends of Xu Zhiyong"],
        "people": [],
        "campaigns": ["Free Xu Zhiyong"],
        "letters": [],
        "news_items": ["Xu Zhiyong sentenced to 14 years"],
    }
    case = body["results"][0]
    assert case["count"] == 1 and case["capped"] is False
    item = case["items"][0]
    assert item["id"] == records["case"].pk
    assert item["admin_url"] == reverse(
        "admin:tracker_detainedperson_change", args=[records["case"].pk]
    )
    assert item["url"].endswith(f"/api/detained-persons/{records['case'].pk}/")
    assert found(api(client_for, root, "ambassadorson"))["letters"] == [
        "Appeal on the New Citizens Movement"
    ]


def test_the_api_finds_for_a_viewer_every_kind_and_for_a_cases_role_only_cases(
    client_for, viewer, cases_only, records
):
    assert found(api(client_for, viewer, "许志永"))["cases"] == ["Xu Zhiyong (许志永)"]
    assert len(api(client_for, viewer, "xu")["results"]) == 6
    body = api(client_for, cases_only, "xu zhiyong")
    assert found(body) == {"cases": ["Xu Zhiyong (许志永)"]}


def test_the_api_never_searches_restricted_fields(client_for, root, records):
    assert all(not items for items in found(api(client_for, root, "Quillfeather")).values())


def test_the_api_refuses_the_anonymous_and_users_who_may_view_nothing(
    anonymous_client, nobody_client, records
):
    assert anonymous_client.get(API, {"q": "xu"}).status_code == 401
    response = nobody_client.get(API, {"q": "xu"})
    assert response.status_code == 403 and "detail" in response.json()


def test_the_api_needs_a_query_and_refuses_unknown_parameters(client_for, root):
    client = client_for(root)
    missing = client.get(API)
    assert (missing.status_code, list(missing.json())) == (400, ["q"])
    blank = client.get(API, {"q": "  "})
    assert (blank.status_code, list(blank.json())) == (400, ["q"])
    unknown = client.get(API, {"q": "xu", "kind": "cases"})
    assert (unknown.status_code, list(unknown.json())) == (400, ["kind"])


def test_each_kind_lists_at_most_ten_and_counts_the_rest(client_for, root):
    NewsItem.objects.bulk_create(
        NewsItem(url=f"https://news.example.org/{n}", title=f"Court hearing {n}") for n in range(12)
    )
    news = {group["kind"]: group for group in api(client_for, root, "court")["results"]}
    assert news["news_items"]["count"] == 12
    assert len(news["news_items"]["items"]) == 10


def test_news_items_are_found_by_a_word_in_any_case_and_by_chinese_characters(client_for, root):
    NewsItem.objects.create(url="https://news.example.org/a", title="Appeal Court rules today")
    NewsItem.objects.create(url="https://news.example.org/b", title="许志永案开庭")
    assert found(api(client_for, root, "COURT"))["news_items"] == ["Appeal Court rules today"]
    assert found(api(client_for, root, "案开"))["news_items"] == ["许志永案开庭"]
