"""The read-only accessor's parts: statement gate, guarded session, cache, result conversion, CLI output."""
