"""Altair (Vega-Lite) chart builders, one module per page. Each takes display-ready DataFrames
and returns a chart with a title, labelled axes (with units) and tooltips, sized for a 1280x800
window. No Streamlit here: app/cached.py keeps the built specs."""
