"""Moderation: small pure stages that analyse the text of items."""
