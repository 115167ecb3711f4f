"""Index item (channel_id, thread_root_external_id): each thread scan looks up the stored comments of one post.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_channel_id_thread_root_external_id", "item", ["channel_id", "thread_root_external_id"])


def downgrade() -> None:
    op.drop_index("ix_item_channel_id_thread_root_external_id", table_name="item")
