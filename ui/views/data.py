"""Data in and out, for the reform office: a workbook (XLSX, YAML or JSON) imported all or nothing
with every problem named by file, entry and field; the whole database as a workbook; and the
published site (every flowchart, A/B table and figure) as a release to post."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from roles.storage import store
from flows.errors import BadInput
from ui.i18n import t
from ui.publish import publish, releases
from ui.state import account, engine, page

lg, wb = page("page.data", need_data=False)
office = account().role == "office"

st.subheader(t("data.import", lg))
if not office:
    st.caption(t("data.office_only", lg))
else:
    upload = st.file_uploader(t("data.workbook", lg), type=["xlsx", "yaml", "yml", "json"], key="wb_upload")
    if upload is not None and st.button(t("data.import_button", lg), key="wb_import", type="primary"):
        problems = []
        with tempfile.TemporaryDirectory() as tmp, st.status(t("data.importing", lg, file=upload.name)) as status:
            path = Path(tmp) / upload.name  # the readers name the file in every message
            path.write_bytes(upload.getvalue())
            try:
                summary = store.import_file(engine(), path, progress=lambda m: status.write(m.text(lg)),
                                            user=account())
                status.update(label=t("import.done", lg, file=upload.name, **summary.__dict__), state="complete")
            except BadInput as e:
                problems = e.problems
                status.update(label=t("data.refused", lg, n=len(problems)), state="error")
        for p in problems:  # outside the status box, which closes: every problem in plain view
            st.error(str(p))

st.subheader(t("data.export", lg))
fmt = st.radio(t("data.format", lg), ["xlsx", "yaml", "json"], horizontal=True, key="wb_format")
if st.button(t("data.export_button", lg), key="wb_export"):
    with tempfile.TemporaryDirectory() as tmp, st.spinner(t("data.exporting", lg)):
        out = Path(tmp) / f"abflow.{fmt}"
        store.export_file(engine(), out)
        st.session_state["wb_file"] = (out.name, out.read_bytes())
if "wb_file" in st.session_state:
    name, data = st.session_state["wb_file"]
    st.download_button(t("data.download", lg, file=name), data, name, key="wb_download")

st.subheader(t("data.publish", lg))
site = os.environ.get("ABFLOW_SITE")  # where releases are kept; without it, each one is a download
st.caption(t("data.site_kept", lg, path=site, n=len(releases(Path(site)))) if site else t("data.site_zip", lg))
if wb.processes and st.button(t("data.publish_button", lg), key="publish", disabled=not office):
    bar = st.progress(0.0, text=t("data.publishing", lg))

    with tempfile.TemporaryDirectory() as tmp:
        rel = publish(wb, Path(site) if site else Path(tmp), lg, lambda m: bar.progress(m.share, text=m.text(lg)))
        bar.progress(1.0, text=t("publish.done", lg, path=rel / "index.html"))
        if not site:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
                for f in sorted(rel.parent.rglob("*")):  # the release and the list of releases
                    z.write(f, f.relative_to(rel.parent).as_posix())
            st.session_state["site_zip"] = buffer.getvalue()
if "site_zip" in st.session_state:
    st.download_button(t("data.site_download", lg), st.session_state["site_zip"], "abflow-site.zip",
                       "application/zip", key="site_download")
