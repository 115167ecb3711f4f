"""The build backend: setuptools, plus the moderation hot path compiled with mypyc (see `moderation.native`).

pyproject.toml names this module as its PEP 517 backend (``backend-path``), so ``pip install -e .`` and
``pip install .`` compile `moderation.native.COMPILED` -- the typed Python source as it is, no C written by
hand -- and record the sources they compiled in `moderation.native.MANIFEST`. Compilation is optional: if mypyc
or the C compiler fails, or ``NETZPFLEGE_PURE_PYTHON=1`` is set, the package installs as plain Python.

setuptools reads extension modules only from a ``setup()`` call; without a setup.py at the top level (which the
project keeps to its agreed layout) this subclasses setuptools' own backend to make that call.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from setuptools import build_meta, setup

from moderation import native

_GROUP_HEADERS = os.path.join("build", *native.GROUP.split(".")[:-1])  # mypyc writes its C below build/


def _extensions() -> list[Any]:
    """mypyc's extension modules for the hot path (each optional), or none."""
    if os.environ.get(native.PURE_PYTHON_ENV) == "1":
        return []
    try:
        from mypyc.build import mypycify

        sources = [str(native.source_path(m).relative_to(native.PACKAGE_DIR.parent)) for m in native.COMPILED]
        modules = mypycify(sources, opt_level="3", multi_file=True, group_name=native.GROUP)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure (mypy exits on type errors): plain Python
        print(f"netzpflege: mypyc nicht verfügbar ({exc!r}) – reines Python", file=sys.stderr)
        return []
    for module in modules:
        module.optional = True  # a compiler error leaves it out: `moderation.native` then uses the sources
        module.include_dirs.append(_GROUP_HEADERS)  # mypyc puts a dotted group's headers in a subfolder
    native.MANIFEST.write_text(json.dumps(native.manifest(), indent=1) + "\n", encoding="utf-8")
    return modules


class _Backend(build_meta._BuildMetaBackend):  # type: ignore[misc]  # noqa: SLF001 - setuptools' own backend
    compile_native = False  # only for wheels: metadata and build requirements need no compilation

    def run_setup(self, setup_script: str = "setup.py") -> None:
        setup(ext_modules=_extensions() if self.compile_native else [],
              options={"build_ext": {"parallel": os.cpu_count() or 1}})

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
