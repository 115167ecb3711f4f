"""Small render helpers shared by the pages.

The rule they enforce: citizens' text (comments, author names, triage reasons quoting them) is shown
with ``st.text``/``st.dataframe`` only, never with a markdown element; dynamic strings that do go
into markdown (channel names from the configuration) pass through :func:`md_escape`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from store.config import ConfigError
from store.db import StoreError

NO_DATA = "Noch keine Daten: `netzpflege demo` oder `netzpflege sync` ausführen."
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """``text`` with every markdown-special character backslash-escaped, for labels built from data."""
    # a word joiner after '@' keeps the markdown renderer from turning "stadt@social.example" into a mailto link
    return _MD_SPECIAL.sub(r"\\\1", text).replace("@", "@\u2060")


@contextmanager
def page_errors() -> Iterator[None]:
    """Show a broken configuration or an unreachable database as one German message, not a traceback."""
    try:
        yield
    except ConfigError as exc:
        st.error("Die Konfiguration ist fehlerhaft.", icon=":material/settings:")
        st.text(str(exc))
        st.stop()
    except StoreError as exc:
        st.error("Die Datenbank ist nicht erreichbar.", icon=":material/database:")
        st.text(str(exc))
        st.stop()


def stop_without_data(has_items: bool) -> None:
    """The friendly empty state of a store nobody has filled yet."""
    if not has_items:
        st.info(NO_DATA, icon=":material/inbox:")
        st.stop()


def plain(label: str, text: str) -> None:
    """A trusted label over a piece of untrusted text, shown literally."""
    st.caption(label)
    st.text(text or "–")
