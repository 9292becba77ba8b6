"""The bpmn-js modeler as a Streamlit component: shows a BPMN document and returns the edited one,
when the user applies it and, marked pending, soon after every edit. Served from this folder, where
`make setup` installs bpmn-js."""
from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_modeler = components.declare_component("bpmn_modeler", path=str(Path(__file__).parent))


def modeler(xml: str, apply: str, hint: str = "", key: str | None = None,
            marks: dict[str, str] | None = None, fit: str = "Fit", lang: str = "zh") -> dict | None:
    """The drawing last sent as {"xml", "at", "pending"}: pending when it was only edited, not
    applied (None until the first edit). `marks` colours elements by id as a review shows a
    change: "added" green, "changed" amber. `fit` labels the zoom-to-fit button; `lang` is the
    language of bpmn-js's own words (its palette, menus and pads: Chinese, or English)."""
    return _modeler(xml=xml, apply=apply, hint=hint, marks=marks or {}, fit_label=fit, lang=lang, key=key,
                    default=None)
