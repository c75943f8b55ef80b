#!/bin/sh
# Install what `python -m tests.corpus.render` needs outside Python when it is missing:
# LibreOffice (DOCX/XLSX -> PDF), Noto CJK fonts (Chinese glyphs for the exports and the seals),
# Liberation Serif (metric twin of Times New Roman for Latin text),
# poppler-utils (pdftoppm/pdfinfo for checking the output by eye).
set -eu

missing=""
command -v soffice >/dev/null 2>&1 || missing="$missing soffice"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing pdftoppm"
fc-list 2>/dev/null | grep -q "Noto Serif CJK SC" || missing="$missing noto-serif-cjk"
fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || missing="$missing noto-sans-cjk"
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc ] || missing="$missing NotoSansCJK-Bold.ttc"
fc-list 2>/dev/null | grep -q "Liberation Serif" || missing="$missing liberation-serif"

[ -z "$missing" ] && exit 0

echo "ensure_tools: missing:$missing; installing through apt" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo" || { echo "ensure_tools: need root or sudo for apt-get" >&2; exit 1; }
fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-liberation2 poppler-utils
fc-cache -f >/dev/null 2>&1 || true
