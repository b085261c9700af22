"""Python's cyclic garbage collector kept out of the way of bulk work (imports, the demo)."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"open": 0, "thresholds": gc.get_threshold()}  # blocks open in any thread


@contextmanager
def rare_collections() -> Iterator[None]:
    """Within the block, the cyclic collector runs rarely. Work on a million rows keeps a
    chunk's thousands of objects alive at a time, and the collector, triggered every 700 new
    objects, would walk them again and again: a third of an import's time. Reference
    counting still frees each chunk as soon as it is done with. Blocks may overlap, in one
    thread or several: the usual thresholds come back when the last one ends."""
    with _lock:
        if not _state["open"]:
            _state["thresholds"] = gc.get_threshold()
            gc.set_threshold(100_000, *_state["thresholds"][1:])
        _state["open"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["open"] -= 1
            if not _state["open"]:
                gc.set_threshold(*_state["thresholds"])
