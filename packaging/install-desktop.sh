#!/usr/bin/env bash
# Install Softmax Explorer's menu entry, AppStream metainfo and icons for the current user
# (XDG: $XDG_DATA_HOME, default ~/.local/share). No root needed.
#
#   packaging/install-desktop.sh                   # the menu runs `softmax-explorer` from PATH
#   packaging/install-desktop.sh --exec /opt/softmax-explorer/softmax-explorer
#                                                  # ... or this program (e.g. a standalone build)
#   packaging/install-desktop.sh --uninstall       # remove what was installed
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
APP_ID="io.github.softmax_explorer.SoftmaxExplorer"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
ICONS="$ROOT/explorer/resources/icons"
SIZES="16 32 48 64 128 256 512"

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "$0"
    exit 2
}

EXEC=""
UNINSTALL=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --exec)
            [[ $# -ge 2 ]] || usage
            EXEC="$2"
            shift 2
            ;;
        --uninstall)
            UNINSTALL=1
            shift
            ;;
        -h | --help) usage ;;
        *)
            echo "install-desktop.sh: unknown option $1" >&2
            usage
            ;;
    esac
done

targets=(
    "$DATA/applications/$APP_ID.desktop"
    "$DATA/metainfo/$APP_ID.metainfo.xml"
    "$DATA/icons/hicolor/scalable/apps/$APP_ID.svg"
)
for size in $SIZES; do
    targets+=("$DATA/icons/hicolor/${size}x${size}/apps/$APP_ID.png")
done

refresh_caches() {
    # Menus and icon themes pick the files up without these, only later.
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$DATA/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null && [[ -f "$DATA/icons/hicolor/index.theme" ]]; then
        gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
    fi
}

if [[ $UNINSTALL -eq 1 ]]; then
    rm -f "${targets[@]}"
    refresh_caches
    echo "removed Softmax Explorer's desktop files from $DATA"
    exit 0
fi

desktop_src="$HERE/$APP_ID.desktop"
install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$DATA/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 "$ICONS/softmax-explorer.svg" "$DATA/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in $SIZES; do
    install -D -m 644 "$ICONS/softmax-explorer-$size.png" \
        "$DATA/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
mkdir -p "$DATA/applications"
if [[ -n "$EXEC" ]]; then
    if [[ ! -f "$EXEC" || ! -x "$EXEC" ]]; then
        echo "install-desktop.sh: $EXEC is not an executable file" >&2
        exit 2
    fi
    EXEC="$(cd "$(dirname "$EXEC")" && pwd)/$(basename "$EXEC")"
    # Characters that need escapes in a desktop entry (or in sed): refuse them instead.
    if [[ "$EXEC" == *[\"\`\$\\%\&\|]* ]]; then
        echo "install-desktop.sh: unsupported character in $EXEC" >&2
        exit 2
    fi
    sed -e "s|^Exec=.*|Exec=\"$EXEC\"|" -e "s|^TryExec=.*|TryExec=$EXEC|" \
        "$desktop_src" >"$DATA/applications/$APP_ID.desktop"
    chmod 644 "$DATA/applications/$APP_ID.desktop"
else
    install -m 644 "$desktop_src" "$DATA/applications/$APP_ID.desktop"
fi
refresh_caches
echo "installed Softmax Explorer's menu entry, metainfo and icons into $DATA"
