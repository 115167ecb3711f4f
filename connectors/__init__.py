"""Connectors: one module per platform turning its API into :class:`store.models.Item` pages.

Importing this package registers every built-in connector (see :mod:`connectors.registry`).
"""
