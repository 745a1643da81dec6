"""File handling: bounded YAML reading with positions, round-trip YAML edits,
atomic outputs and locks, and files read from git revisions."""
