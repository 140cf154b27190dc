"""The parking app's endpoints and tasks, against SQLite with Celery tasks run in place."""
import hashlib
import json
import uuid

import pytest
from django.core.cache import cache
from django.db import IntegrityError
from django.test import Client

from parking.models import Lot, ParkingSession, Price, TaskRun
from parking.release import VERSION
from parking.tasks import price_session, tick

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Redis outlives a test (and a run): each test starts without cached lots."""
    cache.clear()


@pytest.fixture
def lots() -> list[Lot]:
    return [Lot.objects.create(name=name, capacity=capacity) for name, capacity in [("north", 120), ("south", 80)]]


def post_session(client: Client, request_id: str, lot: str = "north"):
    return client.post("/sessions/", data=json.dumps({"request_id": request_id, "lot": lot}), content_type="application/json")


def test_index_names_the_release(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.content.decode() == f"parking web {VERSION}\n"


def test_health_checks_database_and_cache(client: Client) -> None:
    r = client.get("/health/")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": VERSION, "checks": {"database": "ok", "redis": "ok"}}


def test_lots_are_listed_by_name(client: Client, lots: list[Lot]) -> None:
    r = client.get("/lots/")
    assert r.status_code == 200
    assert r.json()["lots"] == [{"name": "north", "capacity": 120}, {"name": "south", "capacity": 80}]


# autocommit, as the app runs: the refused duplicate must not break a surrounding transaction
@pytest.mark.django_db(transaction=True)
def test_a_session_is_opened_once_and_priced_once(client: Client, lots: list[Lot]) -> None:
    request_id = str(uuid.uuid4())
    r = post_session(client, request_id)
    assert r.status_code == 201
    session = ParkingSession.objects.get(request_id=request_id)
    assert session.opened_by == VERSION
    assert Price.objects.get(session=session).cents == 250
    assert TaskRun.objects.filter(session_id=session.pk).count() == 1
    # the same request sent again opens nothing
    assert post_session(client, request_id).status_code == 409
    assert ParkingSession.objects.filter(request_id=request_id).count() == 1


@pytest.mark.parametrize("body", [{}, {"request_id": "not-a-uuid"}, {"request_id": str(uuid.uuid4()), "lot": "nowhere"}])
def test_a_bad_session_request_is_refused(client: Client, lots: list[Lot], body: dict[str, str]) -> None:
    r = client.post("/sessions/", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 400
    assert ParkingSession.objects.count() == 0


def test_sessions_only_take_post(client: Client) -> None:
    assert client.get("/sessions/").status_code == 405


def test_pricing_a_session_twice_fails_loudly(lots: list[Lot]) -> None:
    session = ParkingSession.objects.create(request_id=uuid.uuid4(), lot=lots[0], opened_by="test")
    price_session(session.pk)
    with pytest.raises(IntegrityError):
        price_session(session.pk)
    assert TaskRun.objects.filter(session_id=session.pk).count() == 2


def test_a_second_tick_of_an_interval_fails(settings) -> None:
    tick(interval=7, beat="a")
    with pytest.raises(IntegrityError):
        tick(interval=7, beat="b")


def test_config_shows_the_setting_and_only_a_hash_of_the_secret(client: Client, settings) -> None:
    body = client.get("/config/").json()
    assert body["greeting"] == "hello from the tests"
    assert body["secret_key_sha256"] == hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()
    assert settings.SECRET_KEY not in json.dumps(body)


def test_the_page_references_its_assets(client: Client) -> None:
    r = client.get("/page/")
    assert r.status_code == 200
    assert "/static/parking/app.css" in r.content.decode()
