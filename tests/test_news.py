"""The news between workers, at the broker boundary: each piece is one typed
value and one payload, and the payloads are the ones workers exchanged before
news was typed (a rolling upgrade has old and new workers on one channel)."""

from __future__ import annotations

import pytest

from strategyroom.live.events import CardShown, Envelope, TimerExtended
from strategyroom.live.news import (
    DraftChanged,
    News,
    PresenceChanged,
    ResyncAsked,
    SessionDeleted,
    TallyChanged,
    decode,
    encode,
)

PAYLOADS: list[tuple[News, str]] = [
    (
        Envelope("s1", "a1b2", 7, CardShown(card=3)),
        '{"type":"event","session":"s1","epoch":"a1b2","seq":7,"event":"card_shown",'
        '"data":{"card":3}}',
    ),
    (
        Envelope("s1", "a1b2", 8, TimerExtended(card=3, seconds=60, ends_at=None, remaining=90)),
        '{"type":"event","session":"s1","epoch":"a1b2","seq":8,"event":"timer_extended",'
        '"data":{"card":3,"seconds":60,"ends_at":null,"remaining":90}}',
    ),
    (TallyChanged("s1", "street"), '{"type":"tally","session":"s1","question":"street"}'),
    (PresenceChanged("s1"), '{"type":"presence","session":"s1"}'),
    (
        DraftChanged("s1", "plan", 2),
        '{"type":"draft","session":"s1","question":"plan","table":2}',
    ),
    (ResyncAsked("s1"), '{"type":"resync","session":"s1"}'),
    (SessionDeleted("s1"), '{"type":"deleted","session":"s1"}'),
]


@pytest.mark.parametrize(("news", "payload"), PAYLOADS)
def test_news_is_one_payload_and_back(news: News, payload: str) -> None:
    assert encode(news) == payload
    assert decode(payload) == news


def test_news_of_an_unknown_kind_is_passed_over_and_a_broken_payload_raises() -> None:
    assert decode('{"type":"whatever","session":"s1"}') is None
    for broken in ("[1]", "not json", '{"type":"event","session":"s1"}'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            decode(broken)
