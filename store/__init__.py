"""The shared persistence layer: schema, migrations, config, and the reads and writes on them.

Every other package depends on this one; it depends on none of them.
"""
