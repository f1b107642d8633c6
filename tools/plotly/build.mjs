// Builds ../../static/vendor/plotly-ovp.min.js (docs/page-weight.md):
//   cd tools/plotly && npm ci && npm run build
// esbuild bundles entry.js (plotly.js's core with our four trace types); terser minifies.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.resolve(here, '../../static/vendor/plotly-ovp.min.js');
const plotly = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/plotly.js/package.json')));

// plotly.js requires all of culori for five functions; its own TODO is to take them from
// `culori/fn`, which leaves the rest of the library out (12 KB gzip less).
const culoriFn = {
  name: 'culori-fn',
  setup(build) {
    build.onResolve({ filter: /^culori$/ }, () => ({ path: path.join(here, 'culori-shim.js') }));
  },
};

const bundled = path.join(here, 'plotly-ovp.bundle.js');
await esbuild.build({
  entryPoints: [path.join(here, 'entry.js')],
  bundle: true,
  format: 'iife',
  globalName: 'Plotly',
  target: 'es2016',
  define: { global: 'window', 'define.amd': 'false' },
  // The only stylesheet plotly.js imports is maplibre's, for map subplots we do not draw.
  loader: { '.css': 'empty' },
  plugins: [culoriFn],
  legalComments: 'none',
  outfile: bundled,
  logLevel: 'warning',
});
const banner = `/*! plotly.js v${plotly.version} (MIT License, Copyright Plotly, Inc.), partial ` +
  'bundle for OVP Assess: scatter, bar, heatmap, scatterpolar. Built by tools/plotly/build.mjs */';
execFileSync(path.join(here, 'node_modules/.bin/terser'), [
  bundled, '--compress', 'passes=3', '--mangle', '--comments', 'false', '--output', out,
], { stdio: 'inherit' });
fs.writeFileSync(out, `${banner}\n${fs.readFileSync(out, 'utf8')}`);
fs.unlinkSync(bundled);
console.log(`${path.relative(process.cwd(), out)}: ${fs.statSync(out).size} bytes`);
