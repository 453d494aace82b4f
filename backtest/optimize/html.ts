/**
 * optimize.html: one standalone page (no script, no CDN) with the fitness per generation (best and
 * mean), the best params' equity in and out of sample, the spread of every searched param per
 * generation, and the tables of the best params, their metrics and the walk-forward folds.
 * Inline SVG; hovering a point shows its figures (SVG <title>).
 */
import { escapeHtml } from '../html';
import type { CompactMetrics } from './objectives';
import type { EquityPoint } from './evaluate';
import type { OptimizeResult } from './result';

const W = 1000;
const H = 260;
const PAD = { left: 70, right: 20, top: 26, bottom: 26 };

function scale(lo: number, hi: number, a: number, b: number): (x: number) => number {
  const span = hi - lo || 1;
  return (x) => a + ((x - lo) / span) * (b - a);
}

function fmt(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

function axes(yLo: number, yHi: number, h: number, label: string): string {
  const y = scale(yLo, yHi, h - PAD.bottom, PAD.top);
  const ticks = [yLo, (yLo + yHi) / 2, yHi];
  return (
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${h - PAD.bottom}" stroke="#999"/>` +
    ticks
      .map(
        (t) =>
          `<text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${fmt(t)}</text><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`,
      )
      .join('') +
    `<text x="${PAD.left}" y="12" font-size="11" fill="#555">${escapeHtml(label)}</text>`
  );
}

function polyline(points: readonly [number, number][], color: string, title: string): string {
  if (points.length === 0) return '';
  return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"><title>${escapeHtml(title)}</title></polyline>`;
}

function fitnessChart(r: OptimizeResult): string {
  const series = r.folds.flatMap((f, fi) => f.generations.map((g) => ({ fold: fi, ...g })));
  const vals = series.flatMap((s) => [s.best, s.mean]).filter((x): x is number => x !== null);
  if (vals.length === 0) return '<p>No params were accepted: nothing to chart.</p>';
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const x = scale(0, Math.max(1, series.length - 1), PAD.left + 10, W - PAD.right);
  const y = scale(lo, hi, H - PAD.bottom, PAD.top);
  const best = series
    .map((s, i) => (s.best === null ? null : ([x(i), y(s.best)] as [number, number])))
    .filter((p): p is [number, number] => p !== null);
  const mean = series
    .map((s, i) => (s.mean === null ? null : ([x(i), y(s.mean)] as [number, number])))
    .filter((p): p is [number, number] => p !== null);
  const dots = series
    .map((s, i) =>
      s.best === null
        ? ''
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(s.best).toFixed(1)}" r="3" fill="#1565c0"><title>fold ${s.fold + 1}, generation ${s.generation + 1}: best ${fmt(s.best, 4)}, mean ${fmt(s.mean, 4)}, ${s.evaluated} evaluated</title></circle>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="fitness per generation">${axes(lo, hi, H, `fitness (${r.config.objective})`)}${polyline(mean, '#90a4ae', 'mean fitness')}${polyline(best, '#1565c0', 'best fitness')}${dots}</svg>
<p class="legend"><span style="color:#1565c0">■ best</span> <span style="color:#90a4ae">■ mean</span> of each generation${r.folds.length > 1 ? ' (folds one after the other)' : ''}</p>`;
}

function equityChart(inSample: readonly EquityPoint[], outOfSample: readonly EquityPoint[]): string {
  const all = [...inSample, ...outOfSample];
  if (all.length === 0) return '<p>No equity to show.</p>';
  const t0 = Math.min(...all.map((p) => p.time));
  const t1 = Math.max(...all.map((p) => p.time));
  // Out of sample starts where in sample ended: rebase it on the in-sample end so it reads as one curve.
  const isEnd = inSample.length > 0 ? inSample[inSample.length - 1]!.equity : null;
  const oosStart = outOfSample.length > 0 ? outOfSample[0]!.equity : null;
  const factor = isEnd !== null && oosStart ? isEnd / oosStart : 1;
  const oos = outOfSample.map((p) => ({ time: p.time, equity: p.equity * factor }));
  const vals = [...inSample, ...oos].map((p) => p.equity);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const x = scale(t0, t1, PAD.left + 10, W - PAD.right);
  const y = scale(lo, hi, H - PAD.bottom, PAD.top);
  const split =
    outOfSample.length > 0
      ? `<line x1="${x(outOfSample[0]!.time)}" x2="${x(outOfSample[0]!.time)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#c62828" stroke-dasharray="4 3"/><text x="${x(outOfSample[0]!.time) + 4}" y="${PAD.top + 10}" font-size="11" fill="#c62828">out of sample →</text>`
      : '';
  const d = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="equity of the best params">${axes(lo, hi, H, 'equity (quote)')}${split}${polyline(
    inSample.map((p) => [x(p.time), y(p.equity)]),
    '#2e7d32',
    `in sample ${d(inSample[0]?.time ?? t0)} → ${d(inSample.at(-1)?.time ?? t0)}`,
  )}${polyline(
    oos.map((p) => [x(p.time), y(p.equity)]),
    '#c62828',
    `out of sample ${outOfSample.length > 0 ? `${d(outOfSample[0]!.time)} → ${d(outOfSample.at(-1)!.time)}` : ''}`,
  )}<text x="${PAD.left + 10}" y="${H - 6}" font-size="11">${d(t0)}</text><text x="${W - PAD.right}" y="${H - 6}" font-size="11" text-anchor="end">${d(t1)}</text></svg>`;
}

/** One strip per param: every individual's value per generation, the best circled. */
function spreadCharts(r: OptimizeResult): string {
  const genes = r.config.space;
  const gens = r.folds.flatMap((f) => f.generations);
  const h = 90;
  return genes
    .map((g) => {
      const num = (v: unknown) =>
        typeof v === 'number'
          ? v
          : typeof v === 'string' && g.type !== 'choice'
            ? Number(v)
            : g.type === 'choice'
              ? g.choices.findIndex((c) => JSON.stringify(c) === JSON.stringify(v))
              : NaN;
      const lo = g.type === 'choice' ? 0 : g.min;
      const hi = g.type === 'choice' ? g.choices.length - 1 : g.max;
      const x = scale(0, Math.max(1, gens.length - 1), PAD.left + 10, W - PAD.right);
      const y = scale(lo, hi, h - 16, 8);
      const dots = gens
        .flatMap((gen, i) =>
          gen.population.map(
            (ind) =>
              `<circle cx="${x(i).toFixed(1)}" cy="${y(num(ind.values[g.path])).toFixed(1)}" r="2.5" fill="#1565c0" fill-opacity="0.25"><title>${escapeHtml(`${g.path} = ${JSON.stringify(ind.values[g.path])}, fitness ${fmt(ind.fitness, 4)}`)}</title></circle>`,
          ),
        )
        .join('');
      const bestV = r.best?.values[g.path];
      const best =
        bestV !== undefined
          ? `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(num(bestV))}" y2="${y(num(bestV))}" stroke="#c62828" stroke-dasharray="3 3"><title>best: ${escapeHtml(JSON.stringify(bestV))}</title></line>`
          : '';
      const labels =
        g.type === 'choice'
          ? `${escapeHtml(JSON.stringify(g.choices[0]))} … ${escapeHtml(JSON.stringify(g.choices.at(-1)))}`
          : `${g.min} … ${g.max}`;
      return `<h3>${escapeHtml(g.path)} <small>${labels}${bestV !== undefined ? `, best ${escapeHtml(JSON.stringify(bestV))}` : ''}</small></h3><svg viewBox="0 0 ${W} ${h}" width="100%">${best}${dots}</svg>`;
    })
    .join('');
}

function metricsRows(m: CompactMetrics | null): string[] {
  if (!m) return Array<string>(8).fill('—');
  return [
    fmt(m.returnPct),
    fmt(m.maxDrawdownPct),
    String(m.trades),
    fmt(m.winRatePct),
    fmt(m.profitFactor),
    fmt(m.sharpe),
    fmt(m.sortino),
    fmt(m.calmar),
  ];
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

export function optimizeHtml(r: OptimizeResult): string {
  const c = r.config;
  const last = r.folds.at(-1);
  const title = `Optimisation of ${c.strategy} on ${c.symbol} ${c.interval}`;
  const head = ['', 'return %', 'max DD %', 'trades', 'win %', 'profit factor', 'sharpe', 'sortino', 'calmar'];
  const best = r.best
    ? table(head, [
        ['in sample', ...metricsRows(r.best.inSample)],
        ['out of sample', ...metricsRows(r.best.outOfSample)],
      ])
    : '<p><b>No params were accepted.</b></p>';
  const rejections = r.folds.flatMap((f) => Object.entries(f.rejections)).slice(0, 10);
  const folds =
    r.folds.length > 1
      ? `<h2>Walk-forward folds</h2>${table(
          ['fold', 'in sample', 'out of sample', 'params', 'fitness', 'IS return %', 'OOS return %', 'OOS trades'],
          r.folds.map((f, i) => [
            String(i + 1),
            `${new Date(f.inSample.from).toISOString().slice(0, 16)} → ${new Date(f.inSample.to).toISOString().slice(0, 16)}`,
            f.outOfSample
              ? `${new Date(f.outOfSample.from).toISOString().slice(0, 16)} → ${new Date(f.outOfSample.to).toISOString().slice(0, 16)}`
              : '—',
            JSON.stringify(f.values ?? {}),
            fmt(f.fitness, 4),
            fmt(f.inSampleMetrics?.returnPct),
            fmt(f.outOfSampleMetrics?.returnPct),
            String(f.outOfSampleMetrics?.trades ?? '—'),
          ]),
        )}${r.walkForward ? `<p>Out of sample, all folds: ${fmt(r.walkForward.outOfSampleReturnPct)} % compounded, ${r.walkForward.outOfSampleTrades} trades, worst drawdown ${fmt(r.walkForward.worstDrawdownPct)} %, walk-forward efficiency ${fmt(r.walkForward.efficiency)}.</p>` : ''}`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f5f5f5}td:first-child{text-align:left}h3{margin:10px 0 0;font-size:13px}small{color:#666;font-weight:normal}.legend{color:#555;font-size:12px}code{background:#f5f5f5;padding:1px 4px}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${c.candles.toLocaleString('en-US')} candles, objective <b>${escapeHtml(c.objective)}</b>, population ${c.population}, ${c.generations} generations, seed ${c.seed}, ${r.evaluations.toLocaleString('en-US')} backtests; ${
    c.walkForward
      ? `walk-forward ${c.walkForward.folds} folds (in sample ${c.walkForward.ratio}× out of sample)`
      : c.holdout > 0
        ? `last ${Math.round(c.holdout * 100)} % held out of sample`
        : 'no out-of-sample split'
  }; --min-trades ${c.minTrades}.</p>
<h2>Best params${r.folds.length > 1 ? ' (last fold: the ones to trade next)' : ''}</h2>
${r.best ? `<p>Fitness ${fmt(r.best.fitness, 4)}: <code>${escapeHtml(JSON.stringify(r.best.values))}</code></p>` : ''}
${best}
<h2>Equity of the best params</h2>
${equityChart(last?.equity.inSample ?? [], last?.equity.outOfSample ?? [])}
<h2>Fitness per generation</h2>
${fitnessChart(r)}
${folds}
<h2>Spread of the params</h2>
<p class="legend">Each dot is one individual of a generation (left to right); the dashed line is the best value.</p>
${spreadCharts(r)}
${
  rejections.length > 0
    ? `<h2>Rejected params</h2>${table(
        ['reason', 'count'],
        rejections.map(([k, v]) => [k, String(v)]),
      )}`
    : ''
}
</body></html>
`;
}
