"""Background work of the resource database (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from .alerts import stock_alerts_check


@task()
def check_stock_alerts() -> int:
    """Open and tell the low-stock and expiry alerts; `wangge stock-alerts --enqueue`."""
    return stock_alerts_check().opened
