#!/usr/bin/env bash
# Build the standalone one-folder app into dist/softmax-explorer/ from a clean clone.
#
#   packaging/build.sh               # uses the active Python (a virtual environment is best)
#   packaging/build.sh --no-install  # PyInstaller and the app's dependencies already installed
#   packaging/build.sh --with-video  # also bundle PyAV for MP4 and WebM export
#
# Without --with-video the build has no video export (its other formats all work): PyAV's
# wheels carry GPL-licensed encoders (x264), and bundling them makes the whole app subject
# to the GPL when you distribute it. Ask for it only if that suits you.
#
# DIST_DIR and WORK_DIR (default dist, build/pyinstaller) choose where the app and
# PyInstaller's scratch files go.
#
# Run the result with dist/softmax-explorer/softmax-explorer (softmax-explorer.exe on Windows).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
DIST_DIR="${DIST_DIR:-dist}"
WORK_DIR="${WORK_DIR:-build/pyinstaller}"

INSTALL=1
EXTRAS="packaging"
export SOFTMAX_EXPLORER_WITH_VIDEO=0
for arg in "$@"; do
    case "$arg" in
        --no-install) INSTALL=0 ;;
        --with-video) EXTRAS="packaging,video"; SOFTMAX_EXPLORER_WITH_VIDEO=1 ;;
        *) echo "usage: packaging/build.sh [--no-install] [--with-video]" >&2; exit 2 ;;
    esac
done
if [[ "$INSTALL" == 1 ]]; then
    "$PYTHON" -m pip install --quiet -e ".[$EXTRAS]"
fi
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$WORK_DIR" \
    packaging/softmax-explorer.spec
case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) ;;  # a windowed .exe has no stdout to print the version to
    *) "$DIST_DIR/softmax-explorer/softmax-explorer" --version ;;
esac
echo "built $DIST_DIR/softmax-explorer/"
