"""The live session: state machine, events, answers, presence and fan-out."""
