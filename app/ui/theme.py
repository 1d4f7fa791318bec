"""Light or dark: the page follows the operating system (`prefers-color-scheme`, Streamlit's
"System" theme) unless the person picks Light or Dark in the sidebar.

Streamlit keeps the browser's theme choice in its own localStorage entry and reads it when the
page loads; picking one here writes that entry (and a cookie, so the next session shows the
choice in the picker), then reloads the page. The script is a fixed string of ours with one of
three fixed words in it: nothing from a person, a document or a model.
"""

from __future__ import annotations

import streamlit as st

from app.ui.strings import ui_text

THEMES = ("System", "Light", "Dark")  # Streamlit's own names for its theme choices
COOKIE = "rag_theme"
KEY = "rag_theme"
_CHANGED_KEY = "rag_theme_changed"
_APPLY = """<script>
(function () {{
  var key = "stActiveTheme-" + window.location.pathname + "-v2";
  window.localStorage.setItem(key, JSON.stringify("{theme}"));
  document.cookie = "{cookie}={theme}; path=/; max-age=31536000; SameSite=Strict";
  window.location.reload();
}})();
</script>"""


def chosen_theme(cookies: object) -> str:
    """The theme the browser's cookie names, else System."""
    value = cookies.get(COOKIE) if hasattr(cookies, "get") else None
    return value if value in THEMES else "System"


def apply_script(theme: str) -> str:
    """The script that makes Streamlit load `theme` (one of THEMES) and reloads the page."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}")
    return _APPLY.format(theme=theme, cookie=COOKIE)


def _changed() -> None:
    st.session_state[_CHANGED_KEY] = True


def render_theme_picker() -> None:
    """The Appearance picker (in the sidebar); a change reloads the page in that theme."""
    t = ui_text()
    if KEY not in st.session_state:
        st.session_state[KEY] = chosen_theme(st.context.cookies)
    labels = {"System": t("theme_system"), "Light": t("theme_light"), "Dark": t("theme_dark")}
    picked = st.segmented_control(
        t("theme"), THEMES, key=KEY, format_func=labels.__getitem__, on_change=_changed,
        width="stretch",
    )  # fmt: skip
    if st.session_state.pop(_CHANGED_KEY, False) and picked in THEMES:
        st.html(apply_script(str(picked)), unsafe_allow_javascript=True)
