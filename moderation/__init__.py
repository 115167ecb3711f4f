"""Moderation: small pure stages that analyse the text of items."""

import moderation.native  # noqa: F401  (first: compiled modules or their sources, see there)
