#!/usr/bin/env bash
# Rebuild src/parindex/web/static/vendor/echarts-<version>.custom.min.js: ECharts with only
# the chart types and components that static/parindex/charts.js uses (issue 13 part 6).
# Needs node + npm (the npm registry only; nothing is committed from node_modules).
#   scripts/build_echarts.sh            # ECharts 5.6.0, esbuild latest
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VERSION="${ECHARTS_VERSION:-5.6.0}"
OUT="$ROOT/src/parindex/web/static/vendor/echarts-$VERSION.custom.min.js"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --no-save --no-audit --no-fund --silent "echarts@$VERSION" esbuild >/dev/null
# The modules: keep this list in sync with the header comment below and with charts.js.
CHARTS="BarChart, LineChart, PieChart, HeatmapChart, RadarChart"
COMPONENTS="GridComponent, TooltipComponent, LegendComponent, LegendScrollComponent, VisualMapContinuousComponent"
cat > entry.js <<JS
import * as echarts from "echarts/core";
import { $CHARTS } from "echarts/charts";
import { $COMPONENTS } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
echarts.use([$CHARTS, $COMPONENTS, CanvasRenderer]);
window.echarts = echarts;
JS
node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --target=es2017 \
  --legal-comments=none --define:process.env.NODE_ENV='"production"' --outfile=bundle.js
{
  echo "/*! ECharts $VERSION custom build for parindex (Apache-2.0, see echarts.LICENSE.txt)."
  echo " * Built by scripts/build_echarts.sh with esbuild from the npm package echarts@$VERSION."
  echo " * charts: $CHARTS"
  echo " * components: $COMPONENTS; renderer: CanvasRenderer */"
  cat bundle.js
} > "$OUT"
echo "» $(basename "$OUT"): $(wc -c < "$OUT") bytes, gzip $(gzip -9c "$OUT" | wc -c) bytes"
