#!/bin/sh
# Install abflow from this offline bundle, with no network: `sh install.sh [PREFIX]` (default
# /opt/abflow). Needs Python 3.11 and Debian's graphviz and fontconfig (LibreOffice Writer and Calc
# for the 办事指南 as PDF and the Excel print check; see docs/deploy.md for versions). Every Python
# package comes from ./wheels, checked against the hashes of requirements/lock.txt; the CJK fonts
# come from ./fonts when the system has none. Then: PREFIX/venv/bin/abflow --version.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-/opt/abflow}
python=${PYTHON:-python3.11}

fail() { echo "install.sh: $*" >&2; exit 1; }
command -v "$python" >/dev/null || fail "needs $python (Debian: apt install python3.11 python3.11-venv)"
command -v dot >/dev/null || fail "needs Graphviz (Debian: apt install graphviz)"
command -v fc-list >/dev/null || fail "needs fontconfig (Debian: apt install fontconfig)"

"$python" -m venv "$prefix/venv"
pip() { "$prefix/venv/bin/pip" --isolated --disable-pip-version-check "$@"; }
# Only this bundle's files, each checked against the lock's hashes: no index is asked.
pip install -q --no-index --find-links "$here/wheels" --require-hashes --no-deps -r "$here/requirements/lock.txt"
pip install -q --no-index --no-deps "$here"/wheels/abflow-*.whl

# Chinese on flowcharts, PNG and PDF: the bundle's fonts where the system lacks WenQuanYi Micro Hei
# (small PDFs) or any CJK font.
if ! fc-list | grep -qi "WenQuanYi Micro Hei" || ! fc-list :lang=zh | grep -q .; then
    fonts=${FONT_DIR:-/usr/local/share/fonts/abflow}
    mkdir -p "$fonts" && cp "$here"/fonts/* "$fonts"/ && fc-cache -f "$fonts" >/dev/null
fi
"$prefix/venv/bin/abflow" --version
echo "installed in $prefix; docs/deploy.md has the systemd units for the app, the API and the scheduler"
