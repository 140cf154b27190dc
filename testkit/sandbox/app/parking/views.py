"""HTTP endpoints: lots (cached in Redis), sessions (PostgreSQL + a Celery task), health, a page with assets."""
import hashlib
import itertools
import json
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .models import Lot, ParkingSession
from .release import FLAVOR, VERSION
from .tasks import price_session

_posts = itertools.count(1)


def _lag() -> None:
    """The laggy release answers every request but /health/ 300 ms later."""
    if FLAVOR == "laggy":
        time.sleep(0.3)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _lag()
    return HttpResponse(f"parking web {VERSION}\n", content_type="text/plain")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - the health endpoint reports any failure
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("health", VERSION, 5)
        checks["redis"] = "ok" if cache.get("health") is not None else "error: no value"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = FLAVOR != "bad-health" and all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "version": VERSION, "checks": checks}, status=200 if healthy else 503)


@require_GET
def lots(request: HttpRequest) -> JsonResponse:
    _lag()
    data = cache.get("lots")
    if data is None:
        data = [{"name": lot.name, "capacity": lot.capacity} for lot in Lot.objects.order_by("name")]
        cache.set("lots", data, 5)
    return JsonResponse({"version": VERSION, "lots": data})


@require_POST
def open_session(request: HttpRequest) -> JsonResponse:
    _lag()
    if FLAVOR == "flaky" and next(_posts) % 5 == 0:
        return JsonResponse({"error": "the flaky release fails one POST in five"}, status=500)
    try:
        body = json.loads(request.body or b"{}")
        request_id = uuid.UUID(str(body["request_id"]))
        lot = Lot.objects.get(name=str(body.get("lot", "north")))
    except (ValueError, KeyError, TypeError, Lot.DoesNotExist) as exc:
        return JsonResponse({"error": f"bad request: {exc.__class__.__name__}"}, status=400)
    fields: dict[str, object] = {"request_id": request_id, "lot": lot, "opened_by": VERSION}
    if hasattr(ParkingSession, "zone"):
        fields["zone"] = f"zone-{lot.name}"
    try:
        session = ParkingSession.objects.create(**fields)
    except IntegrityError:
        return JsonResponse({"error": "this request_id already opened a session"}, status=409)
    # autocommit: the row is committed before the task can look for it
    price_session.delay(session.pk)
    return JsonResponse({"id": session.pk, "request_id": str(request_id), "version": VERSION}, status=201)


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    _lag()
    return render(request, "parking/page.html", {"version": VERSION})


@require_GET
def config(request: HttpRequest) -> JsonResponse:
    """The release's settings as the app sees them: a plain value, and only a hash of the secret."""
    return JsonResponse(
        {
            "version": VERSION,
            "greeting": settings.GREETING,
            "secret_key_sha256": hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest(),
        }
    )
