"""Data in and out, for the reform office: a workbook (XLSX, YAML or JSON) imported all or nothing
with every problem named by file, entry and field; the whole database as a workbook; and the
published site (every flowchart, A/B table and figure) as a release to post."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path
from typing import cast

import streamlit as st

from roles import actions, clock
from ui.i18n import t
from roles.model import Workbook
from ui import background
from roles.formats.site import publish, releases
from ui.charts import site_words
from ui.state import account, db, page, plain, show_error

lg, wb = page("page.data", need_data=False)
office = actions.is_office(account())
if wb.damaged and office:
    st.warning(plain(t("data.damaged", lg, n=len(wb.damaged))))
    st.code("\n".join(wb.damaged[:200]), language=None)

st.subheader(t("data.import", lg))
if not office:
    st.caption(plain(t("data.office_only", lg)))
else:
    upload = st.file_uploader(t("data.workbook", lg), type=["xlsx", "yaml", "yml", "json"], key="wb_upload")
    if upload is not None:
        size = f"{upload.size / 1024 ** 2:.1f} MB" if upload.size >= 1024 ** 2 else f"{max(1, round(upload.size / 1024))} KB"
        st.caption(t("data.ready", lg, file=upload.name, size=size))
    if upload is not None and st.button(t("data.import_button", lg), key="wb_import", type="primary"):
        refusal = None
        with st.status(t("data.importing", lg, file=upload.name)) as status:
            try:
                summary = actions.import_workbook(  # the count of processes written goes on in the label
                    db(), account(), data=upload.getvalue(), name=upload.name,
                    progress=lambda m: status.update(label=m.text(lg)) if m.key == "processes" else status.write(m.text(lg)))
                status.update(label=t("import.done", lg, file=upload.name, **summary.__dict__), state="complete")
            except actions.AbflowError as e:
                refusal = e
                n = len(e.problems) if isinstance(e, actions.BadInput) else 1
                status.update(label=t("data.refused", lg, n=n), state="error")
        if refusal is not None:  # outside the status box, which closes: every problem in plain view
            show_error(refusal)

if office:
    st.subheader(t("data.calendar", lg))
    st.caption(plain(t("data.calendar_help", lg)))
    c1, c2 = st.columns([1, 3])
    year = c1.number_input(t("data.calendar_year", lg), 1900, 2100, clock.today().year + 1, key="cal_year")
    schedule = c2.file_uploader(t("data.workbook", lg), type=["xlsx", "yaml", "yml", "json"], key="cal_upload")
    if schedule is not None and st.button(t("data.calendar_button", lg), key="cal_load"):
        try:
            n = actions.load_calendar(db(), account(), data=schedule.getvalue(), name=schedule.name, year=int(year))
            st.success(plain(t("calendar.loaded", lg, year=int(year), n=n, file=schedule.name)))
        except actions.AbflowError as e:
            show_error(e)

st.subheader(t("data.export", lg))
fmt = st.radio(t("data.format", lg), ["xlsx", "yaml", "json"], horizontal=True, key="wb_format")
if st.button(t("data.export_button", lg), key="wb_export"):
    with st.status(t("data.exporting", lg)) as status:  # each stage said as it comes: a city's takes seconds
        name = f"abflow.{fmt}"
        st.session_state["wb_file"] = (name, actions.export_workbook(
            db(), account(), name=name, progress=lambda stage: status.update(label=stage.text(lg))))
        status.update(label=t("data.exported", lg, file=name), state="complete")
if "wb_file" in st.session_state:
    name, data = st.session_state["wb_file"]
    st.download_button(t("data.download", lg, file=name), data, name, key="wb_download")

st.subheader(t("data.publish", lg))
site = os.environ.get("ABFLOW_SITE")  # where releases are kept; without it, each one is a download
st.caption(plain(t("data.site_kept", lg, path=site, n=len(releases(Path(site)))) if site else t("data.site_zip", lg)))
key = f"publish:{site or account().username}"  # one publish at a time per site (or per user's download)


def _zipped(rel: Path) -> bytes:
    """The release and the list of releases, for a site kept nowhere else."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(rel.parent.rglob("*")):
            if any(part.startswith(".") for part in f.relative_to(rel.parent).parts):
                continue  # the lock, the kept drawings
            z.write(f, f.relative_to(rel.parent).as_posix())
    return buffer.getvalue()


def _publishing(data: Workbook, approvals: dict, filed: dict, where: str | None):
    """The publish, as the background job runs it: into the site folder, or a zip to download."""
    def work(progress) -> tuple[str, bytes | None]:
        if where:
            return str(publish(data, Path(where), site_words(lg), progress, approvals=approvals, filed=filed)
                       / "index.html"), None
        with tempfile.TemporaryDirectory() as tmp:
            rel = publish(data, Path(tmp), site_words(lg), progress, approvals=approvals, filed=filed)
            return "abflow-site.zip", _zipped(rel)
    return work


job = background.get(key)
running = job is not None and not job.done
if wb.processes and st.button(t("data.publish_button", lg), key="publish", disabled=not office or running):
    background.start(key, _publishing(actions.site_workbook(db(), account()), actions.approvals(db(), account()),
                                      actions.filed_lists(db(), account()), site))  # read (and checked) here
    job, running = background.get(key), True
if running:
    @st.fragment(run_every=1.0)
    def watch() -> None:
        """The bar, redrawn each second while the charts are drawn; the rest of the page stays usable."""
        now = background.get(key)
        if now is None or now.done:
            st.rerun()  # the whole page: the result below
        st.progress(now.share, text=now.stage.text(lg) if now.stage else t("data.publishing", lg))
    watch()
elif job is not None:  # finished: its result moves into this session, and the job is forgotten
    if job.error:
        st.session_state["site_error"] = job.error
    else:
        where, data = cast(tuple[str, bytes | None], job.result)  # what _publishing's work returns
        st.session_state["site_done"] = where
        if data:
            st.session_state["site_zip"] = data
    background.forget(key)
if error := st.session_state.pop("site_error", None):
    st.error(plain(error))
if "site_done" in st.session_state:
    st.success(plain(t("publish.done", lg, path=st.session_state["site_done"])))
if "site_zip" in st.session_state:
    st.download_button(t("data.site_download", lg), st.session_state["site_zip"], "abflow-site.zip",
                       "application/zip", key="site_download")
