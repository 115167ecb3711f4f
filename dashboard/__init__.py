"""Netzpflege's composition root: the Streamlit dashboard, the CLI and the demo municipality."""


def main() -> None:
    """The ``netzpflege`` command (pyproject's console script): `dashboard.cli`'s app, started without the cyclic
    garbage collector -- the start-up only builds what lives as long as the process (modules, configuration,
    models), so collecting on the way is wasted (~25 ms of ~0.35 s). The command turns it back on
    (`dashboard.cli._collect_garbage_again`, or `triage` once its models are loaded)."""
    import gc

    gc.disable()
    try:
        from dashboard.cli import app

        app()
    finally:
        gc.enable()  # (for callers in the same process)
