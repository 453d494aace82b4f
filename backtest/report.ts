/** The backtest summary for the terminal: a few aligned tables and a progress bar. */
import { renderTable } from '../client/table';
import type { BacktestResult } from './engine';

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

const pct = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)} %`);

/** The summary printed at the end of `npm run backtest`. */
export function summaryText(r: BacktestResult, extra: { elapsedMs?: number } = {}): string {
  const m = r.metrics;
  const quote = r.filters.quoteAsset;
  const rows: [string, string][] = [
    ['strategy', r.strategy],
    ['market', `${r.symbol} ${r.interval}, ${r.candles.toLocaleString('en-US')} candles`],
    ['period', `${formatTime(r.from)} → ${formatTime(r.to)} UTC`],
    ['bot', r.stopReason ? `${r.botStatus}: ${r.stopReason}` : r.botStatus],
    ['equity', `${m.initialEquity} → ${m.finalEquity} ${quote}`],
    ['net profit', `${m.netProfit} ${quote} (${pct(m.returnPct)})`],
    ['buy & hold', pct(m.buyAndHoldPct)],
    ['realised PnL', `${r.realizedPnl} ${quote}`],
    ['unrealised PnL', `${r.unrealizedPnl} ${quote} (position ${r.position.qty} ${r.filters.baseAsset})`],
    [
      'fees',
      Object.entries(r.fees)
        .map(([a, v]) => `${v} ${a}`)
        .join(', ') || '0',
    ],
    ['max drawdown', `${m.maxDrawdown} ${quote} (${pct(m.maxDrawdownPct)})`],
    ['exposure', pct(m.exposurePct)],
    ['trades', `${m.trades} (${m.wins} won, ${m.losses} lost), win rate ${pct(m.winRatePct)}`],
    ['profit factor', m.profitFactor === null ? '—' : String(m.profitFactor)],
    ['best / worst trade', `${m.bestTrade ?? '—'} / ${m.worstTrade ?? '—'} ${quote}`],
    ['round trips', `${r.roundTrips.count} (${r.roundTrips.wins} won)`],
    [
      'orders',
      `${r.orders.length} placed, ${r.orders.filter((o) => o.status === 'REJECTED').length} rejected, ${r.fills.length} fills`,
    ],
  ];
  if (extra.elapsedMs !== undefined) {
    const rate = extra.elapsedMs > 0 ? Math.round(r.candles / (extra.elapsedMs / 1000)) : r.candles;
    rows.push(['speed', `${extra.elapsedMs.toFixed(0)} ms, ${rate.toLocaleString('en-US')} candles/s`]);
  }
  const warnings = r.notifications.filter((n) => n.level !== 'info');
  const parts = [renderTable(['', ''], rows).split('\n').slice(2).join('\n')];
  if (r.trades.length > 0) {
    const shown = r.trades.slice(-10);
    parts.push(
      `\nlast ${shown.length} of ${r.trades.length} trades:\n` +
        renderTable(
          ['closed', 'tag', 'qty', 'entry', 'exit', 'pnl'],
          shown.map((t) => [formatTime(t.closedAt), t.tag, t.qty, t.entryPrice, t.exitPrice, t.pnl]),
        ),
    );
  }
  if (warnings.length > 0) parts.push(`\n${warnings.length} warning(s), the last: ${warnings.at(-1)!.message}`);
  return parts.join('\n');
}

/** "[##########          ]  50 %  500,000 / 1,000,000 candles" */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)} %  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} candles`;
}
