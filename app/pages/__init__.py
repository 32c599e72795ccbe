"""The dashboard's pages: layout only, reading the store through app.cached."""
