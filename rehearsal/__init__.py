"""The rehearsal: a whole evening of a deck played in headless Chromium
(``./dev rehearse --help``, ``python -m rehearsal``).

A developer tool like ``bench/``: it needs Playwright (the test extra), which
the runtime package does not depend on.
"""
