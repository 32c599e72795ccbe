"""Placeholder: commands added by the exposure work."""
