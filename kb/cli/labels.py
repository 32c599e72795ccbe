"""Placeholder: commands added by the labels work."""
