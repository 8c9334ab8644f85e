"""The live session: state machine, events, answers, presence and fan-out, and
the read model that decides what each screen shows (readmodel.py, policy.py)."""
