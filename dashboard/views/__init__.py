"""Streamlit page scripts, run by st.navigation in dashboard/app.py (never imported).

Not named ``pages/``: a ``pages`` folder beside the entry script makes Streamlit start in its legacy
multi-page mode, where a deep link such as ``/lagebild`` runs the page without app.py (no page config,
and later no login) until the first session has run app.py.
"""
