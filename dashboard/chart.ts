/**
 * The one chart component of the project (lightweight-charts, bundled from npm): candles with the
 * bot's entries and exits marked, and a line chart for equity / PnL. Used by the dashboard and
 * inlined into the standalone backtest report (backtest/html.ts), so both read the same way and
 * both zoom and pan.
 *
 * Each drawn chart leaves figures on its container (`data-candles`, `data-markers`, `data-points`,
 * `data-drawn`) for people inspecting the page and for the browser tests.
 */
import type { ChartCandle, ChartFill, ChartPoint } from './chart-data';
import {
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
  CandlestickSeries,
  ColorType,
  LineSeries,
  createChart,
  createSeriesMarkers,
} from 'lightweight-charts';

export const COLORS = {
  up: '#26a269',
  down: '#e0444b',
  buy: '#1c64f2',
  sell: '#f59e0b',
  line: '#0a7d38',
  lineLoss: '#c0272d',
  grid: '#eef0f3',
  text: '#5b6577',
} as const;

export type { ChartCandle, ChartFill, ChartPoint };

const MAX_LABELLED_MARKERS = 40;

const sec = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

function baseChart(el: HTMLElement, height: number): IChartApi {
  return createChart(el, {
    height,
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: COLORS.text, fontSize: 11 },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    rightPriceScale: { borderColor: '#d5d9e0' },
    timeScale: { borderColor: '#d5d9e0', timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  });
}

/**
 * One marker per candle and side: entries (▲ under the bar, blue for buys) and exits (▼ over the
 * bar, orange for sells); several fills in one candle show their count.
 */
export function markersFor(candles: readonly ChartCandle[], fills: readonly ChartFill[]): SeriesMarker<Time>[] {
  if (candles.length === 0) return [];
  const times = candles.map((c) => c.time);
  const groups = new Map<
    string,
    { time: number; side: 'BUY' | 'SELL'; purpose: string; n: number; qty: number; quote: number }
  >();
  for (const f of fills) {
    if (f.time < times[0]!) continue;
    // The last candle whose open time is at or before the fill.
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid]! <= f.time) lo = mid;
      else hi = mid - 1;
    }
    const key = `${times[lo]}-${f.side}`;
    const g = groups.get(key) ?? { time: times[lo]!, side: f.side, purpose: f.purpose, n: 0, qty: 0, quote: 0 };
    g.n += f.count ?? 1;
    g.qty += Number(f.qty);
    g.quote += Number(f.qty) * Number(f.price);
    groups.set(key, g);
  }
  const list = [...groups.values()].sort((a, b) => a.time - b.time || (a.side < b.side ? -1 : 1));
  // Prices written on every marker would cover a long backtest's chart: only when they are few.
  const labelled = list.length <= MAX_LABELLED_MARKERS;
  return list.map((g) => ({
    time: sec(g.time),
    position: g.side === 'BUY' ? ('belowBar' as const) : ('aboveBar' as const),
    shape: g.side === 'BUY' ? ('arrowUp' as const) : ('arrowDown' as const),
    color: g.side === 'BUY' ? COLORS.buy : COLORS.sell,
    text: labelled
      ? `${g.side === 'BUY' ? 'B' : 'S'}${g.n > 1 ? ` ×${g.n}` : ''} ${trim(g.quote / g.qty)}`
      : g.n > 1
        ? `×${g.n}`
        : '',
  }));
}

function trim(v: number): string {
  if (!Number.isFinite(v)) return '';
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(4);
}

export interface PriceChart {
  update(candles: readonly ChartCandle[], fills: readonly ChartFill[]): void;
  destroy(): void;
}

export function drawPriceChart(
  el: HTMLElement,
  candles: readonly ChartCandle[],
  fills: readonly ChartFill[],
  options: { height?: number } = {},
): PriceChart {
  const chart = baseChart(el, options.height ?? 380);
  const series: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {
    upColor: COLORS.up,
    downColor: COLORS.down,
    borderUpColor: '#1b7a4e',
    borderDownColor: '#a92d33',
    wickUpColor: '#555f70',
    wickDownColor: '#555f70',
  });
  const markers: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(series, []);
  let first = true;
  const update = (cs: readonly ChartCandle[], fs: readonly ChartFill[]) => {
    series.setData(
      cs.map((c) => ({
        time: sec(c.time),
        open: Number(c.open),
        high: Number(c.high),
        low: Number(c.low),
        close: Number(c.close),
      })),
    );
    const m = markersFor(cs, fs);
    markers.setMarkers(m);
    if (first && cs.length > 0) chart.timeScale().fitContent();
    first = false;
    el.dataset.candles = String(cs.length);
    el.dataset.markers = String(m.length);
    el.dataset.buyMarkers = String(m.filter((x) => x.shape === 'arrowUp').length);
    el.dataset.sellMarkers = String(m.filter((x) => x.shape === 'arrowDown').length);
    el.dataset.drawn = '1';
  };
  update(candles, fills);
  return { update, destroy: () => chart.remove() };
}

export interface LineChart {
  update(points: readonly ChartPoint[]): void;
  destroy(): void;
}

/** Equity or PnL over time; green when it ends at or above where it started, red below. */
export function drawLineChart(
  el: HTMLElement,
  points: readonly ChartPoint[],
  options: { height?: number } = {},
): LineChart {
  const chart = baseChart(el, options.height ?? 200);
  const series: ISeriesApi<'Line'> = chart.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: false });
  const update = (ps: readonly ChartPoint[]) => {
    // One value per second (the chart's resolution): the last of each second wins.
    const bySecond = new Map<number, number>();
    for (const p of [...ps].sort((a, b) => a.time - b.time)) bySecond.set(sec(p.time), p.value);
    const data = [...bySecond.entries()].map(([time, value]) => ({ time: time as UTCTimestamp, value }));
    const gain = data.length < 2 || data[data.length - 1]!.value >= data[0]!.value;
    series.applyOptions({ color: gain ? COLORS.line : COLORS.lineLoss });
    series.setData(data);
    chart.timeScale().fitContent();
    el.dataset.points = String(data.length);
    el.dataset.drawn = '1';
  };
  update(points);
  return { update, destroy: () => chart.remove() };
}
