#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry (no CDN at run time).
# Usage: scripts/vendor-static.sh   — then review and commit src/parindex/web/static/vendor/.
set -euo pipefail
HTMX=2.0.11
ECHARTS=5.6.0
dest="$(cd "$(dirname "$0")/.." && pwd)/src/parindex/web/static/vendor"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$HTMX" "echarts@$ECHARTS" >/dev/null
mkdir htmx echarts
tar xzf "htmx.org-$HTMX.tgz" -C htmx --strip-components=1
tar xzf "echarts-$ECHARTS.tgz" -C echarts --strip-components=1
rm -f "$dest"/htmx-*.min.js "$dest"/echarts-*.min.js
cp htmx/dist/htmx.min.js "$dest/htmx-$HTMX.min.js"
cp echarts/dist/echarts.min.js "$dest/echarts-$ECHARTS.min.js"
cp htmx/LICENSE "$dest/htmx.LICENSE.txt"
cp echarts/LICENSE "$dest/echarts.LICENSE.txt"
echo "vendored htmx $HTMX and echarts $ECHARTS into $dest"
