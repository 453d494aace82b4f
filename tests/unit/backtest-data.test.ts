import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KlineFileError, intervalFromFileName, loadKlines, parseKlines, symbolFromFileName } from '../../backtest/data';

const FIXTURES = path.resolve(__dirname, '../support/fixtures/klines');

describe('kline files', () => {
  it('reads the CSV seed 001 writes (pandas to_csv with a header), prices as the exchange wrote them', () => {
    const k = loadKlines(path.join(FIXTURES, 'BTCUSDT-1h-2024-01.csv'));
    expect(k.symbol).toBe('BTCUSDT');
    expect(k.interval).toBe('1h');
    expect(k.candles).toHaveLength(480);
    expect(k.candles[0]).toEqual({
      symbol: 'BTCUSDT',
      interval: '1h',
      openTime: 1704067200000,
      closeTime: 1704070799999,
      open: '42000.00000000',
      high: '42186.75000000',
      low: '41866.41000000',
      close: '42061.94000000',
      volume: '285.61257000',
      quoteVolume: '12004573.75145985',
    });
    expect(k.warnings).toEqual([]);
  });

  it('reads the REST answer saved as a JSON array, with the same candles as the CSV', () => {
    const json = loadKlines(path.join(FIXTURES, 'BTCUSDT-1h-2024-01.json'));
    const csv = loadKlines(path.join(FIXTURES, 'BTCUSDT-1h-2024-01.csv'));
    expect(json.candles).toEqual(csv.candles.slice(0, 48));
  });

  it('reads binance-api-node candles() objects and data.binance.vision CSV (no header, µs times)', () => {
    const objects = parseKlines(
      JSON.stringify([
        {
          openTime: 0,
          open: '1',
          high: '2',
          low: '0.5',
          close: '1.5',
          volume: '10',
          closeTime: 59_999,
          quoteVolume: '15',
        },
      ]),
      { symbol: 'ETHUSDT' },
    );
    expect(objects.candles[0]).toMatchObject({
      symbol: 'ETHUSDT',
      interval: '1m',
      open: '1',
      close: '1.5',
      quoteVolume: '15',
    });
    const vision = parseKlines(
      '1735689600000000,1.0,2.0,0.5,1.5,10,1735689659999999,15,3,5,7,0\n1735689660000000,1.5,2.0,1.0,1.0,10,1735689719999999,15,3,5,7,0\n',
    );
    expect(vision.candles.map((c) => [c.openTime, c.closeTime])).toEqual([
      [1735689600000, 1735689659999],
      [1735689660000, 1735689719999],
    ]);
    expect(vision.interval).toBe('1m');
  });

  it('sorts, drops duplicates and reports gaps', () => {
    const rows = [
      [120_000, '1', '1', '1', '1', '1'],
      [0, '1', '1', '1', '1', '1'],
      [0, '1', '1', '1', '1', '1'],
      [60_000, '1', '1', '1', '1', '1'],
      [300_000, '1', '1', '1', '1', '1'],
    ];
    const k = parseKlines(JSON.stringify(rows));
    expect(k.candles.map((c) => c.openTime)).toEqual([0, 60_000, 120_000, 300_000]);
    expect(k.candles[0]!.closeTime).toBe(59_999);
    expect(k.warnings).toEqual([
      'candles were not in time order: sorted',
      '1 duplicated candle(s) dropped',
      '2 candle(s) missing (gaps in the data)',
    ]);
  });

  it('says which line is wrong', () => {
    expect(() =>
      parseKlines('open_time,open,high,low,close,volume\n0,1,2,0.5,1,10\n60000,1,abc,0.5,1,10\n', { source: 'f.csv' }),
    ).toThrow(new KlineFileError('f.csv:3: high is not a decimal: "abc"'));
    expect(() => parseKlines('0,1,2,1.5,1,10\n', { source: 'f.csv', interval: '1m' })).toThrow(
      /f.csv:1: inconsistent candle \(open 1, high 2, low 1.5, close 1\)/,
    );
    expect(() => parseKlines('[{"a":1}', { source: 'f.json' })).toThrow(/f.json: not valid JSON/);
    expect(() => parseKlines('hello\n', { source: 'f.csv' })).toThrow(/f.csv:1: not a kline row: hello/);
    expect(() => parseKlines('', { source: 'f.csv' })).toThrow(/f.csv: no candles found/);
    expect(() => parseKlines('0,1,1,1,1,1\n7000,1,1,1,1,1\n', { source: 'f.csv' })).toThrow(
      /7000 ms apart, which is no Binance interval/,
    );
  });

  it('takes the symbol and interval from Binance-style file names', () => {
    expect(symbolFromFileName('/data/BTCUSDT-1m-2024-01.csv')).toBe('BTCUSDT');
    expect(symbolFromFileName('btcusdt_2022_Jun.csv')).toBe('BTCUSDT');
    expect(symbolFromFileName('klines.csv')).toBeUndefined();
    expect(intervalFromFileName('/data/BTCUSDT-15m-2024-01.zip.csv')).toBe('15m');
    expect(intervalFromFileName('BTCUSDT_2022_Jun.csv')).toBeUndefined();
  });
});
