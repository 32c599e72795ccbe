"""kb: the March-2023 LLM release timeline and the 'GPTs are GPTs' exposure data.

Both live in one DuckDB store.
"""

__version__ = "0.1.0"
