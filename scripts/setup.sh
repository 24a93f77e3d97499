#!/usr/bin/env bash
# Installs everything finals-app needs on a Debian machine: system packages from apt, Python
# packages into the project venv (.venv). Idempotent: a second run checks and returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Qt on X11 / Xvfb
  libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 xvfb xauth xdotool
  # QtMultimedia (stage sounds)
  libpulse0
  # Chinese text on every screen and in every PDF
  fonts-noto-cjk fonts-dejavu-core
  # the server engine, started by the test fixtures
  postgresql
  # rendering PDFs to check them
  poppler-utils
  # the tests' picture, sound and video clips (lavfi testsrc, sine)
  ffmpeg
  # the served pages (stream overlay, phone, judges' tablet) are tested in a real browser
  chromium
  # the big screen is read back as a camera reads it (tests/ui/test_ocr.py)
  tesseract-ocr tesseract-ocr-chi-sim
  # building python-evdev (buzzer boxes as input devices): a compiler, Python's and the kernel's headers
  gcc python3-dev linux-libc-dev
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "finals-app setup: installing system packages: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
stamp_want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
stamp_file=".venv/.finals-app-installed"
if [ ! -x .venv/bin/python ]; then
  echo "finals-app setup: creating the venv .venv" >&2
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$stamp_want" ]; then
  echo "finals-app setup: installing Python packages into .venv" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 \
    | grep -v "^WARNING: Location" >&2 || true
  .venv/bin/python -c "import finals_app, PySide6, sqlalchemy, pytestqt" # fail loudly if broken
  echo "$stamp_want" > "$stamp_file"
fi

# The package's compiled modules, written once here: a machine that sets PYTHONDONTWRITEBYTECODE
# would otherwise compile every module at every command (a fifth of a second of each listing).
# Quick when they are up to date; a module changed since is compiled again.
.venv/bin/python -m compileall -q finals_app >/dev/null
