"""Announced when a real public warning, its update or its cancellation is saved.

``alert_saved.send(Alert, alert=Alert, grids=list[Grid], by=Actor)`` inside the saving
transaction, for ``Actual`` messages only (never an exercise or a test): the notices pass it
on to the residents of the grids, so the warning and what tells residents commit together.
"""

from django.dispatch import Signal

alert_saved = Signal()
