"""Reading a JSON object from a websocket frame or a request body: the one
place untrusted JSON is parsed, so that no malformed input becomes a 500 or a
dropped socket.

Python's parser recurses once per level of nesting: a frame of 30,000 "["
raised RecursionError, which was not a ValueError and escaped as a traceback.
No message of the protocol or the API nests deeper than a few levels (a budget
answer is an object in an object), so more than MAX_DEPTH is refused as well.
"""

from __future__ import annotations

import json
from typing import Any

from strategyroom.errors import N_, InvalidMessage

MAX_DEPTH = 16


def load_object(raw: str | bytes) -> dict[str, Any]:
    """The JSON object in ``raw``; InvalidMessage when it is not JSON, not an
    object, or nested deeper than MAX_DEPTH."""
    data = load_value(raw)
    if not isinstance(data, dict):
        raise InvalidMessage(N_("A message must be a JSON object."))
    return data


def load_value(raw: str | bytes) -> Any:
    """Any JSON value in ``raw`` (a form's hidden field holds one); InvalidMessage
    when it is not JSON or nested deeper than MAX_DEPTH."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InvalidMessage(N_("That message is nested too deeply.")) from None
    except ValueError:  # also bytes that are not UTF-8
        raise InvalidMessage(N_("That message is not valid JSON.")) from None
    if isinstance(data, dict | list) and _depth(data) > MAX_DEPTH:
        raise InvalidMessage(N_("That message is nested too deeply."))
    return data


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (1 for a flat object);
    without recursion, so any depth the parser accepted is measured."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
