"""Netzpflege's composition root: the Streamlit dashboard, the CLI and the demo municipality."""
