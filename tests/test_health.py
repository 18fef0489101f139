import pytest

from config.celery import app as celery_app


@pytest.mark.django_db
def test_health_reports_database_and_broker_without_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_answers_503_when_the_broker_is_down_and_reveals_no_configuration(
    client, monkeypatch
):
    # Nothing listens on port 1 of loopback: a broker that cannot be reached.
    for key in ("broker_url", "broker_write_url"):
        monkeypatch.setitem(celery_app.conf, key, "redis://127.0.0.1:1/0")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
    assert "127.0.0.1" not in response.content.decode()


def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405
