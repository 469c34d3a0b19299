#!/usr/bin/env bash
# Build the standalone one-folder app into dist/softmax-explorer/ from a clean clone.
#
#   packaging/build.sh               # uses the active Python (a virtual environment is best)
#   packaging/build.sh --no-install  # PyInstaller and the app's dependencies already installed
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

if [[ "${1:-}" != "--no-install" ]]; then
    "$PYTHON" -m pip install --quiet -e ".[packaging]"
fi
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$WORK_DIR" \
    packaging/softmax-explorer.spec
case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) ;;  # a windowed .exe has no stdout to print the version to
    *) "$DIST_DIR/softmax-explorer/softmax-explorer" --version ;;
esac
echo "built $DIST_DIR/softmax-explorer/"
