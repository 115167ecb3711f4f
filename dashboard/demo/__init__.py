"""The demo municipality "Musterstadt": a deterministic, realistic world of posts, comments and replies.

Used by the CLI's demo mode and by tests that need volume; see :func:`build_world`.
"""

from dashboard.demo.world import build_world, world_summary

__all__ = ["build_world", "world_summary"]
