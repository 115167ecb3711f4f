"""Streamlit page scripts (run by st.navigation in dashboard/app.py, not imported)."""
