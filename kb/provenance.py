"""Placeholder until implemented."""


def load_into(con, ctx):  # noqa: ANN001
    return None
