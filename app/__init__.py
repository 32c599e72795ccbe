"""The dashboard's pages (Streamlit). kb/ never imports this package; this package calls kb.*."""
