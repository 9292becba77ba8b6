"""The bpmn-js modeler as a Streamlit component: shows a BPMN document and returns the edited one
soon after every edit. Served from this folder, where `make setup` installs bpmn-js."""
from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_modeler = components.declare_component("bpmn_modeler", path=str(Path(__file__).parent))


def modeler(xml: str, hint: str = "", key: str | None = None, marks: dict[str, str] | None = None,
            fit: str = "Fit", lang: str = "zh", unsaved: bool = False) -> dict | None:
    """The drawing last sent as {"xml", "at"} (None until the first edit); `xml` given back as it
    was sent is shown as it is, not imported again. `marks` colours elements by id as a review
    shows a change: "added" green, "changed" amber. `fit` labels the zoom-to-fit button; `lang` is
    the language of bpmn-js's own words (its palette, menus and pads: Chinese, or English).
    `unsaved`: the page holds edits not yet saved, and the browser asks before a reload loses them."""
    return _modeler(xml=xml, hint=hint, marks=marks or {}, fit_label=fit, lang=lang, unsaved=unsaved, key=key,
                    default=None)
