"""Netzpflege test suite."""
