/**
 * The dashboard's assets, bundled from npm (lightweight-charts) and our TypeScript with esbuild
 * when the server starts: no CDN, no build step to forget, and the page loads three files from
 * the API's own origin.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, buildSync } from 'esbuild';

export const DASHBOARD_DIR = path.resolve(__dirname, '../dashboard');

const OPTIONS = {
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
} as const;

export interface DashboardAssets {
  readonly 'index.html': string;
  readonly 'app.js': string;
  readonly 'app.css': string;
}

export async function buildDashboard(): Promise<DashboardAssets> {
  const out = await build({ ...OPTIONS, entryPoints: [path.join(DASHBOARD_DIR, 'app.ts')] });
  return {
    'index.html': readFileSync(path.join(DASHBOARD_DIR, 'index.html'), 'utf8'),
    'app.js': out.outputFiles[0]!.text,
    'app.css': readFileSync(path.join(DASHBOARD_DIR, 'style.css'), 'utf8'),
  };
}

let reportScript: string | null = null;

/** The chart component as one script to inline into a standalone page (the backtest report). */
export function chartScriptForReport(): string {
  reportScript ??= buildSync({ ...OPTIONS, entryPoints: [path.join(DASHBOARD_DIR, 'report-entry.ts')] }).outputFiles[0]!
    .text;
  return reportScript;
}
