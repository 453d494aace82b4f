/**
 * The backtest report as one standalone HTML page: no script, no CDN, no network. Charts are inline
 * SVG drawn here: candlesticks (aggregated into at most `maxBars` bars so a million candles stay
 * readable) with the entries (▲) and exits (▼) marked, and the equity curve. Hovering a bar, a
 * marker or the curve shows its figures (SVG <title>).
 */
import type { Candle } from '../core/market';
import type { BacktestResult } from './engine';
import { formatTime, summaryText } from './report';

export interface HtmlOptions {
  readonly maxBars?: number;
  readonly maxTrades?: number;
  readonly title?: string;
}

interface Bar {
  t0: number;
  t1: number;
  o: number;
  h: number;
  l: number;
  c: number;
  buys: number;
  sells: number;
  buyQuote: number;
  buyQty: number;
  sellQuote: number;
  sellQty: number;
  entries: number;
  exits: number;
}

const W = 1100;
const PRICE_H = 420;
const EQUITY_H = 200;
const PAD = { left: 70, right: 20, top: 16, bottom: 28 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Group candles into at most `max` bars; fills are counted on the bar of their time. */
export function aggregateBars(candles: readonly Candle[], fills: BacktestResult['fills'], max: number): Bar[] {
  const n = candles.length;
  if (n === 0) return [];
  const per = Math.max(1, Math.ceil(n / max));
  const bars: Bar[] = [];
  for (let i = 0; i < n; i += per) {
    const first = candles[i]!;
    const last = candles[Math.min(n, i + per) - 1]!;
    let h = -Infinity;
    let l = Infinity;
    for (let j = i; j < Math.min(n, i + per); j++) {
      const c = candles[j]!;
      h = Math.max(h, Number(c.high));
      l = Math.min(l, Number(c.low));
    }
    bars.push({ t0: first.openTime, t1: last.closeTime, o: Number(first.open), h, l, c: Number(last.close), buys: 0, sells: 0, buyQuote: 0, buyQty: 0, sellQuote: 0, sellQty: 0, entries: 0, exits: 0 });
  }
  let b = 0;
  for (const f of [...fills].sort((x, y) => x.time - y.time)) {
    while (b < bars.length - 1 && f.time > bars[b]!.t1) b++;
    const bar = bars[b]!;
    if (f.side === 'BUY') {
      bar.buys++;
      bar.buyQty += Number(f.qty);
      bar.buyQuote += Number(f.quoteQty);
    } else {
      bar.sells++;
      bar.sellQty += Number(f.qty);
      bar.sellQuote += Number(f.quoteQty);
    }
    if (f.purpose === 'entry') bar.entries++;
    else bar.exits++;
  }
  return bars;
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(4));

function axes(x0: number, x1: number, y0: number, y1: number, yTicks: number[], yOf: (v: number) => number, tFrom: number, tTo: number, xOf: (t: number) => number): string {
  const parts: string[] = [`<line class="axis" x1="${x0}" y1="${y1}" x2="${x1}" y2="${y1}"/>`, `<line class="axis" x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}"/>`];
  for (const v of yTicks) {
    const y = yOf(v).toFixed(1);
    parts.push(`<line class="grid" x1="${x0}" y1="${y}" x2="${x1}" y2="${y}"/><text class="label" x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(v)}</text>`);
  }
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const t = tFrom + ((tTo - tFrom) * i) / ticks;
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    parts.push(`<text class="label" x="${xOf(t).toFixed(1)}" y="${y1 + 18}" text-anchor="${anchor}">${formatTime(t)}</text>`);
  }
  return parts.join('');
}

export function priceChartSvg(bars: readonly Bar[], title: string): string {
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = PAD.top;
  const y1 = PRICE_H - PAD.bottom;
  if (bars.length === 0) return `<svg id="price-chart" width="${W}" height="${PRICE_H}" role="img" aria-label="${escapeHtml(title)}"></svg>`;
  const lo = Math.min(...bars.map((b) => b.l));
  const hi = Math.max(...bars.map((b) => b.h));
  const span = hi - lo || Math.abs(hi) * 0.01 || 1;
  const yOf = (v: number) => y1 - ((v - (lo - span * 0.05)) / (span * 1.1)) * (y1 - y0);
  const tFrom = bars[0]!.t0;
  const tTo = bars[bars.length - 1]!.t1;
  const xOf = (t: number) => x0 + ((t - tFrom) / Math.max(1, tTo - tFrom)) * (x1 - x0);
  const slot = (x1 - x0) / bars.length;
  const body = Math.max(1, slot * 0.7);
  const parts: string[] = [axes(x0, x1, y0, y1, niceTicks(lo, hi, 6), yOf, tFrom, tTo, xOf)];
  let markers = 0;
  bars.forEach((b, i) => {
    const cx = x0 + slot * (i + 0.5);
    const up = b.c >= b.o;
    const top = yOf(Math.max(b.o, b.c));
    const height = Math.max(1, Math.abs(yOf(b.o) - yOf(b.c)));
    const tip = `${formatTime(b.t0)} → ${formatTime(b.t1)}\nopen ${b.o}  high ${b.h}\nlow ${b.l}  close ${b.c}`;
    parts.push(
      `<g class="candle ${up ? 'up' : 'down'}"><title>${escapeHtml(tip)}</title><line x1="${cx.toFixed(1)}" y1="${yOf(b.h).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${yOf(b.l).toFixed(1)}"/><rect x="${(cx - body / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${body.toFixed(1)}" height="${height.toFixed(1)}"/></g>`,
    );
    const size = Math.min(9, Math.max(5, slot * 0.9));
    if (b.buys > 0) {
      const avg = b.buyQuote / b.buyQty;
      const y = yOf(avg) + size + 2;
      markers++;
      parts.push(
        `<path class="marker buy" d="M${cx.toFixed(1)},${(y - size).toFixed(1)} l${(size / 1.4).toFixed(1)},${size.toFixed(1)} h${(-size / 0.7).toFixed(1)} z"><title>${b.buys} buy fill(s) (${b.entries} entry), ${fmt(b.buyQty)} at avg ${fmt(avg)}</title></path>`,
      );
    }
    if (b.sells > 0) {
      const avg = b.sellQuote / b.sellQty;
      const y = yOf(avg) - size - 2;
      markers++;
      parts.push(
        `<path class="marker sell" d="M${cx.toFixed(1)},${(y + size).toFixed(1)} l${(size / 1.4).toFixed(1)},${(-size).toFixed(1)} h${(-size / 0.7).toFixed(1)} z"><title>${b.sells} sell fill(s) (${b.exits} exit), ${fmt(b.sellQty)} at avg ${fmt(avg)}</title></path>`,
      );
    }
  });
  return `<svg id="price-chart" data-bars="${bars.length}" data-markers="${markers}" viewBox="0 0 ${W} ${PRICE_H}" width="100%" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg>`;
}

export function equityChartSvg(points: BacktestResult['metrics']['equity'], quote: string): string {
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = PAD.top;
  const y1 = EQUITY_H - PAD.bottom;
  if (points.length === 0) return `<svg id="equity-chart" width="${W}" height="${EQUITY_H}"></svg>`;
  const values = points.map((p) => p.equity);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || Math.abs(hi) * 0.01 || 1;
  const yOf = (v: number) => y1 - ((v - (lo - span * 0.05)) / (span * 1.1)) * (y1 - y0);
  const tFrom = points[0]!.time;
  const tTo = points[points.length - 1]!.time;
  const xOf = (t: number) => x0 + ((t - tFrom) / Math.max(1, tTo - tFrom)) * (x1 - x0);
  const line = points.map((p) => `${xOf(p.time).toFixed(1)},${yOf(p.equity).toFixed(1)}`).join(' ');
  const area = `${x0},${y1} ${line} ${xOf(tTo).toFixed(1)},${y1}`;
  const first = points[0]!.equity;
  const last = points[points.length - 1]!.equity;
  return `<svg id="equity-chart" data-points="${points.length}" viewBox="0 0 ${W} ${EQUITY_H}" width="100%" role="img" aria-label="equity curve">${axes(x0, x1, y0, y1, niceTicks(lo, hi, 4), yOf, tFrom, tTo, xOf)}<polygon class="equity-area" points="${area}"/><polyline class="equity ${last >= first ? 'gain' : 'loss'}" points="${line}"><title>equity ${fmt(first)} → ${fmt(last)} ${escapeHtml(quote)} (low ${fmt(lo)}, high ${fmt(hi)})</title></polyline></svg>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2433;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6577;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:8px 12px;min-width:130px}
.card b{display:block;font-size:17px}.card span{color:#5b6577;font-size:12px}
.pos{color:#0a7d38}.neg{color:#c0272d}
svg{background:#fff;border:1px solid #e1e4ea;border-radius:6px;display:block;max-width:1100px}
.axis{stroke:#8a93a3}.grid{stroke:#eef0f3}.label{font-size:11px;fill:#5b6577}
.candle line{stroke:#555f70}.candle.up rect{fill:#26a269;stroke:#1b7a4e}.candle.down rect{fill:#e0444b;stroke:#a92d33}
.marker.buy{fill:#1c64f2;stroke:#fff}.marker.sell{fill:#f59e0b;stroke:#fff}
.equity{fill:none;stroke-width:1.6}.equity.gain{stroke:#0a7d38}.equity.loss{stroke:#c0272d}.equity-area{fill:#1c64f21a}
table{border-collapse:collapse;background:#fff;font-size:13px}td,th{border:1px solid #e1e4ea;padding:3px 8px;text-align:right}th{background:#f2f4f7}td.l,th.l{text-align:left}
pre{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:10px;overflow:auto;max-width:1100px}
.legend{color:#5b6577;font-size:12px;margin:4px 0}
`;

/** The whole page. `candles` are the backtest's candles (the chart shows those the bot saw). */
export function reportHtml(r: BacktestResult, candles: readonly Candle[], options: HtmlOptions = {}): string {
  const seen = candles.filter((c) => c.openTime >= r.from && c.closeTime <= r.to);
  const bars = aggregateBars(seen, r.fills, options.maxBars ?? 600);
  const title = options.title ?? `${r.strategy} on ${r.symbol} ${r.interval}`;
  const m = r.metrics;
  const quote = r.filters.quoteAsset;
  const sign = (v: number) => (v > 0 ? 'pos' : v < 0 ? 'neg' : '');
  const cards: [string, string, string][] = [
    ['net profit', `${m.netProfit} ${quote}`, sign(m.returnPct)],
    ['return', `${m.returnPct.toFixed(2)} %`, sign(m.returnPct)],
    ['buy & hold', `${m.buyAndHoldPct.toFixed(2)} %`, sign(m.buyAndHoldPct)],
    ['max drawdown', `${m.maxDrawdownPct.toFixed(2)} %`, m.maxDrawdownPct > 0 ? 'neg' : ''],
    ['trades', String(m.trades), ''],
    ['win rate', m.winRatePct === null ? '—' : `${m.winRatePct.toFixed(2)} %`, ''],
    ['exposure', `${m.exposurePct.toFixed(2)} %`, ''],
    ['realised PnL', `${r.realizedPnl} ${quote}`, sign(Number(r.realizedPnl))],
  ];
  const trades = r.trades.slice(-(options.maxTrades ?? 500));
  const perBar = Math.max(1, Math.ceil(seen.length / Math.max(1, bars.length)));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="sub">${formatTime(r.from)} → ${formatTime(r.to)} UTC · ${r.candles.toLocaleString('en-US')} candles · bot ${escapeHtml(r.botStatus)}${r.stopReason ? `: ${escapeHtml(r.stopReason)}` : ''}</div>
<div class="cards">${cards.map(([k, v, cls]) => `<div class="card"><b class="${cls}">${escapeHtml(v)}</b><span>${k}</span></div>`).join('')}</div>
<h2>Price</h2>
<div class="legend">${perBar > 1 ? `each bar groups ${perBar} candles · ` : ''}▲ buys (blue), ▼ sells (orange), at their average fill price; hover for details</div>
${priceChartSvg(bars, title)}
<h2>Equity (${escapeHtml(quote)})</h2>
${equityChartSvg(m.equity, quote)}
<h2>Trades${r.trades.length > trades.length ? ` (last ${trades.length} of ${r.trades.length})` : ''}</h2>
${
  trades.length === 0
    ? '<p>No trade closed.</p>'
    : `<table id="trades"><tr><th class="l">closed</th><th class="l">tag</th><th>qty</th><th>entry</th><th>exit</th><th>pnl</th><th class="l">why</th></tr>${trades
        .map((t) => `<tr><td class="l">${formatTime(t.closedAt)}</td><td class="l">${escapeHtml(t.tag)}</td><td>${t.qty}</td><td>${t.entryPrice}</td><td>${t.exitPrice}</td><td class="${sign(Number(t.pnl))}">${t.pnl}</td><td class="l">${escapeHtml(t.reason)}</td></tr>`)
        .join('')}</table>`
}
<h2>Summary</h2>
<pre>${escapeHtml(summaryText(r))}</pre>
<h2>Parameters</h2>
<pre>${escapeHtml(JSON.stringify(r.params, null, 2))}</pre>
</body></html>
`;
}
