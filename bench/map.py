"""Time the grid map of a district with hundreds of grids and thousands of open events: the
map's data (``web.selectors.grid_map``: grids with residents, open and overdue events, the
pins), the district page that draws it, and the map API's GeoJSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wg_map_bench python bench/map.py \\
        --residents 150000 --events 200000

It needs the demo district; when the database has none, it builds one with ``--residents``
people (500 a grid: 150,000 make 300 grids). Events are loaded as the events benchmark loads
them (bench/events.py, which a run of it may reuse): recent ones mostly open, so 200,000 over
a year leave about 11,000 open. Without ``--events`` it keeps the events already loaded.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import events as events_bench  # bench/events.py, beside this file


def signed_in_client(user: object) -> object:
    """A test client signed in as ``user``, its second factor passed as a device would."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="bench")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=150_000)
    parser.add_argument("--events", type=int, default=None,
                        help="events to load (default: those loaded already, else 200,000)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    events_bench.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import render_to_string

    from wangge.access.models import User
    from wangge.demo.accounts import username_for
    from wangge.demo.city import AREA_CODE
    from wangge.divisions.models import Grid
    from wangge.foundation.permissions import Role
    from wangge.web.selectors import grid_map

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    events_bench.ensure_demo(args.residents)
    loaded = events_bench.bench_events().count()
    if args.events is None and not loaded:
        args.events = 200_000
    if args.events is not None and loaded != args.events:
        events_bench.remove_bench_events()
        events_bench.load(args.events, args.days, args.seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) events_event")
    district = User.objects.get(username=username_for(Role.DISTRICT_ADMIN))
    code = district.jurisdictions.first().code
    grids = list(Grid.objects.in_scope([AREA_CODE]).order_by("code"))
    data = grid_map(district, grids)
    size = len(render_to_string("web/includes/map.html", {"map": data}).encode())
    print(f"map[{connection.vendor}]: {len(grids)} grids, {data['pins']['open']:,} open events "
          f"({data['pins']['shown']:,} pinned), the map's data {size / 1024:,.0f} KiB; "
          f"{args.repeat} calls each")
    client = signed_in_client(district)
    figures = {
        "grid_map (queries)": lambda: grid_map(district, grids),
        "map include rendered": lambda: render_to_string("web/includes/map.html",
                                                         {"map": grid_map(district, grids)}),
        "district page": lambda: client.get(f"/divisions/{code}/"),
        "GET events.geojson": lambda: client.get("/api/v1/events.geojson"),
        "GET events-by-grid.geojson": lambda: client.get("/api/v1/events-by-grid.geojson"),
    }
    for name, call in figures.items():
        p50, p95 = events_bench.timed(call, args.repeat)
        print(f"  {name:<28} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms")
    assert client.get(f"/divisions/{code}/").status_code == 200


if __name__ == "__main__":
    main()
