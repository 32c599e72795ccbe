"""Placeholder: commands added by the releases work."""
