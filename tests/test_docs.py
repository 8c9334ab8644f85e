"""Documentation that cannot drift: every setting, event, endpoint, error code
and question type the code knows is documented (after Datasette's test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Route

from strategyroom import config
from strategyroom.decks import QuestionType, schema
from strategyroom.live import errors
from strategyroom.live.events import EVENT_TYPES
from strategyroom.web.app import routes

DOCS = Path(__file__).resolve().parent.parent / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    source = Path(config.__file__).read_text()
    names = set(re.findall(r'env\.get\("([A-Z_]+)"\)', source)) | set(config._LIMITS)
    assert {"DATABASE_URL", "REDIS_URL", "STRATEGYROOM_PUBLIC_URL"} <= names
    documented = read("configuration.md")
    assert [n for n in sorted(names) if f"`{n}`" not in documented] == []


def test_every_event_is_documented() -> None:
    protocol = read("protocol.md")
    assert [name for name in EVENT_TYPES if f"`{name}`" not in protocol] == []


def test_every_api_endpoint_is_documented() -> None:
    documented = read("api.md")
    missing = []
    # Every /api/ route, wherever it is defined (the share links' live with the reports).
    for route in routes():
        if not isinstance(route, Route) or not route.path.startswith("/api/"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if f"`{method} {route.path}`" not in documented:
                missing.append(f"{method} {route.path}")
    assert missing == []


def test_every_error_code_a_participant_can_get_is_documented() -> None:
    protocol = read("protocol.md")
    codes = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.SessionError)
        and cls not in (errors.SessionError, errors.IllegalTransition, errors.SessionEnded)
    }
    assert [code for code in sorted(codes) if f"`{code}`" not in protocol] == []


def test_every_question_type_is_documented() -> None:
    protocol, aggregates = read("protocol.md"), read("aggregates.md")
    for kind in QuestionType:
        assert f"`{kind.value}`" in protocol
        assert kind.value in aggregates


def test_every_deck_field_is_documented() -> None:
    """docs/decks.md names every field of every model of the deck schema."""
    decks = read("decks.md")
    models = [
        value
        for value in vars(schema).values()
        if isinstance(value, type)
        and issubclass(value, schema.BaseModel)
        and value.__module__ == schema.__name__
    ]
    assert schema.Deck in models and schema.Budget in models
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if f"`{name}`" not in decks
    ]
    assert missing == []
    assert all(f"`{kind.value}`" in decks for kind in (*QuestionType, *schema.CardKind))


def test_every_test_named_in_the_promise_docs_exists() -> None:
    """reliability.md, security.md and privacy.md name the test behind each promise."""
    root = DOCS.parent
    named = set()
    for doc in ("reliability.md", "security.md", "privacy.md"):
        named |= set(re.findall(r"(tests/test_\w+\.py)::(test_\w+)", read(doc)))
    assert len(named) >= 30
    missing = []
    for path, name in sorted(named):
        source = root / path
        if not source.exists() or not re.search(rf"^def {name}\(", source.read_text(), re.M):
            missing.append(f"{path}::{name}")
    assert missing == []
