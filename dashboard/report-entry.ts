/**
 * The backtest report's script (inlined into the standalone HTML by backtest/html.ts): draws the
 * price chart with the fills and the equity curve from the JSON the report embeds.
 */
import { type ChartCandle, type ChartFill, type ChartPoint, drawLineChart, drawPriceChart } from './chart';

interface ReportData {
  readonly candles: ChartCandle[];
  readonly fills: ChartFill[];
  readonly equity: ChartPoint[];
}

const data = JSON.parse(document.getElementById('report-data')!.textContent!) as ReportData;
drawPriceChart(document.getElementById('price-chart')!, data.candles, data.fills, { height: 420 });
drawLineChart(document.getElementById('equity-chart')!, data.equity, { height: 220 });
