"""Announced by the writers of risk inputs (check-ins here, cases and exposures in epidemic).

``risk_inputs_changed.send(sender, persons=set[int], buildings=set[int], venues=set[int])``
inside the writing transaction: the receivers (the risk grades) re-grade only what was touched,
so that the grades commit with the facts they follow. Check-ins send only persons whose answer
needs attention.
"""

from django.dispatch import Signal

risk_inputs_changed = Signal()
