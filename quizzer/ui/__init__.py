"""Terminal front ends for a study session: interactive (questionary + rich) and plain text."""
