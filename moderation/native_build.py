"""The build backend: setuptools, plus the moderation hot path compiled with mypyc (see `moderation.native`).

pyproject.toml names this module as its PEP 517 backend (``backend-path``), so ``pip install -e .`` and
``pip install .`` compile `moderation.native.COMPILED` -- the typed Python source as it is, no C written by
hand. Compilation is optional: ``NETZPFLEGE_PURE_PYTHON=1`` skips it (and mypy is then not even fetched), and if
mypyc or the C compiler fails the package installs as plain Python. Only a build in which every compiled module
was built records `moderation.native.MANIFEST` (the sources as they were when mypyc read them); any other build
removes it, so an older build left in place is never taken for a current one.

setuptools reads extension modules only from a ``setup()`` call; without a setup.py at the top level (which the
project keeps to its agreed layout) this subclasses setuptools' own backend to make that call.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from setuptools import build_meta, setup
from setuptools.command.build_ext import build_ext

from moderation import native

# What mypyc needs to compile: itself, and the types of what the hot path imports (mypy checks them).
_COMPILER = ["mypy==2.4.1", "pydantic>=2.6", "orjson>=3.10", "PyYAML>=6.0", "types-PyYAML"]
_recorded: dict[str, object] = {}  # `native.manifest()` as mypyc read the sources; empty: nothing to record


def _extensions() -> list[Any]:
    """mypyc's extension modules for the hot path (each optional), or none."""
    native.MANIFEST.unlink(missing_ok=True)  # until this build has proved itself
    _recorded.clear()
    if native.pure_python():
        return []
    recorded = native.manifest()
    try:
        from mypyc.build import mypycify

        sources = [str(native.source_path(m).relative_to(native.PROJECT_DIR)) for m in native.COMPILED]
        modules = mypycify(sources, opt_level="3", group_name=native.GROUP)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure (mypy exits on type errors): plain Python
        print(f"netzpflege: mypyc fehlgeschlagen ({exc!r}) – reines Python", file=sys.stderr)
        return []
    for module in modules:
        module.optional = True  # a compiler error leaves it out; then no manifest, and the sources are used
    _recorded.update(recorded)
    return modules


def record_build(built: set[str], wanted: list[str], recorded: dict[str, object], manifest: Path) -> bool:
    """Write the manifest if this build built every wanted extension module (True), else nothing."""
    if not recorded or not wanted or not built.issuperset(wanted):
        return False
    manifest.write_text(json.dumps(recorded, indent=1) + "\n", encoding="utf-8")
    return True


class _BuildExt(build_ext):  # type: ignore[misc]
    """setuptools' build_ext, then the manifest -- only when this build built every compiled module (an optional
    one that fails is left out, and an older file of it may still lie in place: that must not count)."""

    def run(self) -> None:
        self.built_now: set[str] = set()
        super().run()
        if self.extensions:  # next to the extensions: in place for editable installs, else in the wheel
            manifest = Path(self.get_ext_fullpath(self.extensions[0].name)).parent / native.MANIFEST.name
            record_build(self.built_now, [e.name for e in self.extensions], _recorded, manifest)

    def build_extension(self, ext: Any) -> None:
        super().build_extension(ext)  # raises when it fails (setuptools then skips an optional one)
        self.built_now.add(ext.name)


class _Backend(build_meta._BuildMetaBackend):  # type: ignore[misc]  # noqa: SLF001 - setuptools' own backend
    compile_native = False  # only for wheels: metadata and build requirements need no compilation

    def run_setup(self, setup_script: str = "setup.py") -> None:
        setup(ext_modules=_extensions() if self.compile_native else [], cmdclass={"build_ext": _BuildExt})

    def get_requires_for_build_wheel(self, config_settings: Any = None) -> list[str]:
        return [*super().get_requires_for_build_wheel(config_settings), *([] if native.pure_python() else _COMPILER)]

    def get_requires_for_build_editable(self, config_settings: Any = None) -> list[str]:
        return [*super().get_requires_for_build_editable(config_settings), *([] if native.pure_python() else _COMPILER)]

    def build_wheel(self, *args: Any, **kwargs: Any) -> str:
        return self._compiling(super().build_wheel, *args, **kwargs)

    def build_editable(self, *args: Any, **kwargs: Any) -> str:
        return self._compiling(super().build_editable, *args, **kwargs)

    def _compiling(self, build: Any, *args: Any, **kwargs: Any) -> str:
        self.compile_native = True
        try:
            return str(build(*args, **kwargs))
        finally:
            self.compile_native = False


_BACKEND = _Backend()
get_requires_for_build_wheel = _BACKEND.get_requires_for_build_wheel
get_requires_for_build_sdist = _BACKEND.get_requires_for_build_sdist
get_requires_for_build_editable = _BACKEND.get_requires_for_build_editable
prepare_metadata_for_build_wheel = _BACKEND.prepare_metadata_for_build_wheel
prepare_metadata_for_build_editable = _BACKEND.prepare_metadata_for_build_editable
build_wheel = _BACKEND.build_wheel
build_sdist = _BACKEND.build_sdist
build_editable = _BACKEND.build_editable
