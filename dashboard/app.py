"""The Streamlit app: page configuration and navigation, nothing else.

Run it with ``netzpflege dashboard`` (or ``streamlit run dashboard/app.py``); the database comes from
``NETZPFLEGE_DATABASE_URL``.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Netzpflege", page_icon=":material/forum:", layout="wide")

navigation = st.navigation([
    st.Page("views/warteschlange.py", title="Warteschlange", icon=":material/inbox:", default=True),
    st.Page("views/lagebild.py", title="Lagebild", icon=":material/monitoring:"),
])
navigation.run()
