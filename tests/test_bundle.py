"""The offline bundle (`make bundle`) installs and runs with no network: built here, then unpacked,
installed (deploy/install.sh) and exercised (tests/offline_check.py: the app's pages, bpmn-js, the
API's docs in Chromium, a publish, a print, a notice to a local SMTP server) inside a network
namespace with only a loopback interface, made and removed by the test. Nothing reaches out: a
request to any other host fails there, and the browser's requests are all on loopback."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from .browser import require_browser
from .conftest import ROOT, require


def _netns_possible() -> bool:
    return os.geteuid() == 0 and shutil.which("ip") is not None and shutil.which("make") is not None


@pytest.mark.slow
def test_the_bundle_installs_and_serves_with_no_network(tmp_path):
    require(_netns_possible(), "root and iproute2, to make a network namespace")
    require_browser()
    built = subprocess.run(["make", "-s", "bundle", f"DIST={tmp_path / 'dist'}"], cwd=ROOT, capture_output=True,
                           text=True, timeout=1200)
    assert built.returncode == 0, built.stderr[-2000:]
    archive = next((tmp_path / "dist").glob("abflow-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    bundle = next((tmp_path / "unpacked").iterdir())
    name = f"abflow-test-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        inside = ["ip", "netns", "exec", name]
        subprocess.run([*inside, "ip", "link", "set", "lo", "up"], check=True)
        # no way out: a public name does not resolve, an address is unreachable
        assert subprocess.run([*inside, sys.executable, "-c", "import urllib.request; urllib.request.urlopen("
                               "'http://93.184.215.14', timeout=3)"], capture_output=True).returncode != 0
        prefix, work = tmp_path / "installed", tmp_path / "work"
        work.mkdir()
        done = subprocess.run([*inside, "sh", str(bundle / "install.sh"), str(prefix)], capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "abflow 0." in done.stdout
        checked = subprocess.run([*inside, sys.executable, str(ROOT / "tests" / "offline_check.py"), str(prefix),
                                  str(work)], capture_output=True, text=True, timeout=900)
        assert checked.returncode == 0, checked.stderr[-3000:]
        report = json.loads(checked.stdout.strip().splitlines()[-1])
        assert report["errors"] == [] and report["outside"] == []
        assert report["published"] and report["printed"] and report["mailed"] >= 1
        assert report["pages"] == {"today": True, "flowchart": True, "designer": True, "reform": True,
                                   "bpmn-js": True, "api-docs": True}
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
