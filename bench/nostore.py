"""``python -m bench.nostore serve ...``: the real server with answer storage
switched off, for one figure of the benchmark only: issue 8's target compares
the acknowledgement latency of an answer burst with that of "the same server
with storage switched off".

The app has no such switch, on purpose: acknowledging an answer that was not
stored is what store-before-acknowledge rules out, and a setting for it would
be one mistake away from losing a hall's votes. So the benchmark makes this
variant itself, in its own process: it replaces the group commit's ``store``
with a function that acknowledges the validated answer at once. Everything
else (the socket, the checks, the receipt) is the real code path. Nothing in
``strategyroom`` imports this module.
"""

from __future__ import annotations

import sys

from strategyroom import cli
from strategyroom.live.answers import PendingAnswer, Recorded
from strategyroom.live.groupcommit import GroupCommit


async def acknowledge_only(self: GroupCommit, answer: PendingAnswer) -> Recorded:
    return Recorded("stored", answer.question_id, answer.answer_id, answer.value)


if __name__ == "__main__":
    GroupCommit.store = acknowledge_only  # type: ignore[method-assign]
    sys.exit(cli.main(sys.argv[1:]))
