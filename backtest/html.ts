/**
 * The backtest report as one standalone HTML page: no CDN, no network. The charts are the
 * dashboard's chart component (dashboard/chart.ts on lightweight-charts), bundled and inlined with
 * the data, so the report zooms and pans like the dashboard: candles (aggregated into at most
 * `maxBars` bars so a million candles stay light) with the entries (▲) and exits (▼) marked, and
 * the equity curve. Figures, trades and params are plain HTML and read without the script too.
 */
import { chartScriptForReport } from '../api/assets';
import type { Candle } from '../core/market';
import type { ChartCandle, ChartFill, ChartPoint } from '../dashboard/chart-data';
import type { BacktestResult } from './engine';
import { formatTime, summaryText } from './report';

export interface HtmlOptions {
  /** At most this many bars on the chart (default 3,000; zoom shows them one by one). */
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
    bars.push({
      t0: first.openTime,
      t1: last.closeTime,
      o: Number(first.open),
      h,
      l,
      c: Number(last.close),
      buys: 0,
      sells: 0,
      buyQuote: 0,
      buyQty: 0,
      sellQuote: 0,
      sellQty: 0,
      entries: 0,
      exits: 0,
    });
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

/** What the page's chart script draws: the bars, one marker per bar and side, the equity curve. */
export interface ReportData {
  readonly candles: ChartCandle[];
  readonly fills: ChartFill[];
  readonly equity: ChartPoint[];
}

export function reportData(r: BacktestResult, bars: readonly Bar[]): ReportData {
  const fills: ChartFill[] = [];
  for (const b of bars) {
    // One marker per bar and side, at the average fill price, with the count of fills behind it.
    if (b.buys > 0)
      fills.push({
        time: b.t0,
        side: 'BUY',
        purpose: b.entries > 0 ? 'entry' : 'exit',
        price: b.buyQuote / b.buyQty,
        qty: b.buyQty,
        count: b.buys,
      });
    if (b.sells > 0)
      fills.push({
        time: b.t0,
        side: 'SELL',
        purpose: b.exits > 0 ? 'exit' : 'entry',
        price: b.sellQuote / b.sellQty,
        qty: b.sellQty,
        count: b.sells,
      });
  }
  return {
    candles: bars.map((b) => ({ time: b.t0, open: b.o, high: b.h, low: b.l, close: b.c })),
    fills,
    equity: r.metrics.equity.map((p) => ({ time: p.time, value: p.equity })),
  };
}

/** Text inside a <script> element: nothing in it may close the element. */
function inScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2433;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6577;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:8px 12px;min-width:130px}
.card b{display:block;font-size:17px}.card span{color:#5b6577;font-size:12px}
.pos{color:#0a7d38}.neg{color:#c0272d}
.chart{background:#fff;border:1px solid #e1e4ea;border-radius:6px;max-width:1100px;height:420px;position:relative}
.chart.small{height:220px}
table{border-collapse:collapse;background:#fff;font-size:13px}td,th{border:1px solid #e1e4ea;padding:3px 8px;text-align:right}th{background:#f2f4f7}td.l,th.l{text-align:left}
pre{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:10px;overflow:auto;max-width:1100px}
.legend{color:#5b6577;font-size:12px;margin:4px 0}
`;

/** The whole page. `candles` are the backtest's candles (the chart shows those the bot saw). */
export function reportHtml(r: BacktestResult, candles: readonly Candle[], options: HtmlOptions = {}): string {
  const seen = candles.filter((c) => c.openTime >= r.from && c.closeTime <= r.to);
  const bars = aggregateBars(seen, r.fills, options.maxBars ?? 3000);
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
<div class="legend">${perBar > 1 ? `each bar groups ${perBar} candles · ` : ''}▲ buys (blue) under the bar, ▼ sells (orange) above it, at their average fill price · drag to pan, scroll to zoom</div>
<div class="chart" id="price-chart" data-bars="${bars.length}" role="img" aria-label="${escapeHtml(title)}"></div>
<h2>Equity (${escapeHtml(quote)})</h2>
<div class="chart small" id="equity-chart" role="img" aria-label="equity curve"></div>
<noscript><p>The charts need JavaScript (inlined in this file; nothing is downloaded).</p></noscript>
<h2>Trades${r.trades.length > trades.length ? ` (last ${trades.length} of ${r.trades.length})` : ''}</h2>
${
  trades.length === 0
    ? '<p>No trade closed.</p>'
    : `<table id="trades"><tr><th class="l">closed</th><th class="l">tag</th><th>qty</th><th>entry</th><th>exit</th><th>pnl</th><th class="l">why</th></tr>${trades
        .map(
          (t) =>
            `<tr><td class="l">${formatTime(t.closedAt)}</td><td class="l">${escapeHtml(t.tag)}</td><td>${t.qty}</td><td>${t.entryPrice}</td><td>${t.exitPrice}</td><td class="${sign(Number(t.pnl))}">${t.pnl}</td><td class="l">${escapeHtml(t.reason)}</td></tr>`,
        )
        .join('')}</table>`
}
<h2>Summary</h2>
<pre>${escapeHtml(summaryText(r))}</pre>
<h2>Parameters</h2>
<pre>${escapeHtml(JSON.stringify(r.params, null, 2))}</pre>
<script type="application/json" id="report-data">${JSON.stringify(reportData(r, bars)).replace(/</g, '\\u003c')}</script>
<script>${inScript(chartScriptForReport())}</script>
</body></html>
`;
}
