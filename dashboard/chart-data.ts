/** The data the chart component draws (no DOM here: the backtest report builds it in Node). */
export interface ChartCandle {
  /** Open time, ms. */
  readonly time: number;
  readonly open: string | number;
  readonly high: string | number;
  readonly low: string | number;
  readonly close: string | number;
}

export interface ChartFill {
  /** Fill time, ms: the marker goes on the candle that contains it. */
  readonly time: number;
  readonly side: 'BUY' | 'SELL';
  readonly purpose: 'entry' | 'exit';
  readonly price: string | number;
  readonly qty: string | number;
  readonly tag?: string;
  /** Fills this one stands for (the backtest report groups a bar's fills into one). */
  readonly count?: number;
}

export interface ChartPoint {
  readonly time: number;
  readonly value: number;
}
