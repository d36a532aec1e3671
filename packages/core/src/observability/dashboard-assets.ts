import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

const require = createRequire(import.meta.url);

/**
 * The dashboard's files: its own page, script and style (shipped in the package under
 * `src/observability/dashboard/`, found the same way from `src/` and from the built `dist/`), and the dist files of
 * the graph-layout (dagre) and charting (uPlot) libraries, read from their installed packages. Nothing is fetched
 * from the internet, at build or run time.
 */
const OWN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'observability', 'dashboard');

const FILES: { readonly [path: string]: { readonly file: () => string; readonly type: string } } = {
  '/': { file: () => join(OWN, 'index.html'), type: 'text/html; charset=utf-8' },
  '/index.html': { file: () => join(OWN, 'index.html'), type: 'text/html; charset=utf-8' },
  '/assets/dashboard.js': { file: () => join(OWN, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/dashboard.css': { file: () => join(OWN, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/assets/dagre.min.js': {
    file: () => join(dirname(require.resolve('@dagrejs/dagre/package.json')), 'dist', 'dagre.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/assets/uPlot.iife.min.js': {
    file: () => join(dirname(require.resolve('uplot/package.json')), 'dist', 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/assets/uPlot.min.css': {
    file: () => join(dirname(require.resolve('uplot/package.json')), 'dist', 'uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

/** Serves a dashboard file; false when `path` is none of them. */
export async function serveDashboardAsset(path: string, res: ServerResponse): Promise<boolean> {
  const asset = FILES[path];
  if (!asset) return false;
  const body = await readFile(asset.file());
  res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  res.end(body);
  return true;
}
