/** The backtest command on a fixture kline file: summary, JSON result, HTML report, errors. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../backtest/cli';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'tests/support/fixtures/klines/BTCUSDT-1h-2024-01.csv');
const dir = mkdtempSync(path.join(os.tmpdir(), 'backtest-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], isTty = false, now?: () => number): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { out: (s) => (out += s), err: (s) => (err += s), isTty }, now);
  return { code, out, err };
}

describe('npm run backtest', () => {
  it('runs a strategy over a kline file, prints the summary and writes the JSON result and the HTML report', () => {
    const params = JSON.stringify({ low: '38000', high: '46000', levels: 12, quantity: '0.01' });
    const r = run(['--strategy', 'grid', '--file', FIXTURE, '--params', params, '--out', dir, '--name', 'grid-run']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^strategy {12}grid$/m);
    expect(r.out).toMatch(/^market {14}BTCUSDT 1h, 480 candles$/m);
    expect(r.out).toContain(`result: ${path.join(dir, 'grid-run.json')}`);
    const result = JSON.parse(readFileSync(path.join(dir, 'grid-run.json'), 'utf8'));
    expect(result).toMatchObject({
      strategy: 'grid',
      symbol: 'BTCUSDT',
      interval: '1h',
      candles: 480,
      botStatus: 'RUNNING',
    });
    expect(result.params).toEqual({
      low: '38000',
      high: '46000',
      levels: 12,
      spacing: 'arithmetic',
      quantity: '0.01',
      initialBuy: true,
      keepOrdersOnStop: false,
    });
    expect(result.trades.length).toBe(result.metrics.trades);
    const html = readFileSync(path.join(dir, 'grid-run.html'), 'utf8');
    // The chart containers and the inlined chart script (booleans: the page is large to print).
    expect(html.includes('<div class="chart" id="price-chart"')).toBe(true);
    expect(html.includes('<div class="chart small" id="equity-chart"')).toBe(true);
    expect(html.includes('<script type="application/json" id="report-data">')).toBe(true);
  });

  it('takes params from a file, balances, fees, a period and risk limits', () => {
    const paramsFile = path.join(dir, 'smart.json');
    writeFileSync(
      paramsFile,
      JSON.stringify({
        sizing: { mode: 'percent', percent: '50' },
        exits: { takeProfits: [{ pct: '3', share: '100' }], stopLoss: { pct: '2' } },
      }),
    );
    const r = run([
      '--strategy',
      'smart-trade',
      '--file',
      FIXTURE,
      '--params-file',
      paramsFile,
      '--balance',
      'USDT=2000',
      '--fee',
      '0',
      '--from',
      '2024-01-05',
      '--to',
      '2024-01-10',
      '--risk',
      '{"maxDrawdownPct":"20"}',
      '--out',
      dir,
      '--name',
      'smart',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(path.join(dir, 'smart.json'), 'utf8'));
    expect(result.from).toBe(Date.UTC(2024, 0, 5));
    expect(result.initialBalances).toEqual({ USDT: '2000' });
    expect(result.fills[0]).toMatchObject({ side: 'BUY', commission: '0' });
    // Half of 2000 at the first close of the period.
    expect(Number(result.fills[0].quoteQty)).toBeCloseTo(1000, -1);
  });

  it('draws a progress bar on a terminal, and only on a long run', () => {
    const args = [
      '--strategy',
      'grid',
      '--file',
      FIXTURE,
      '--params',
      '{"low":"38000","high":"46000","quantity":"0.01"}',
      '--out',
      dir,
      '--progress',
    ];
    // The run's length comes from the clock the command is given, not from how loaded the machine
    // is: a run that takes no time draws nothing (a bar waits for half a second)...
    const short = run(args, true, () => 0);
    expect(short.code).toBe(0);
    expect(short.err).toBe('');
    // ...and one whose clock moves a second at every look draws the bar, ending at 100 % on its own line.
    let t = 0;
    const long = run(args, true, () => (t += 1000));
    expect(long.code).toBe(0);
    expect(long.err).toMatch(/^\r\[#+\] 100 % +480 \/ 480 candles\n$/);
  });

  it('explains bad input and exits non-zero', () => {
    expect(run(['--file', FIXTURE])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^--strategy and --file are required/),
    });
    expect(run(['--strategy', 'nope', '--file', FIXTURE])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^unknown strategy "nope" \(known: .*grid.*range-breakout.*smart-trade/),
    });
    expect(run(['--strategy', 'grid', '--file', FIXTURE, '--params', '{"low":"1"}'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^invalid params for grid: high: /),
    });
    expect(run(['--strategy', 'grid', '--file', FIXTURE, '--params', '{low'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^--params: not valid JSON/),
    });
    expect(run(['--strategy', 'grid', '--file', path.join(dir, 'missing.csv')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^cannot read .*missing.csv/),
    });
    expect(run(['--strategy', 'grid', '--file', FIXTURE, '--bogus'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/Unknown option '--bogus'/),
    });
  });

  it('refuses what a live start refuses: shorts on spot (the same message as live); futures bots run on the simulated perpetual', () => {
    expect(run(['--strategy', 'rsi-sniper', '--file', FIXTURE, '--params', '{"enableShort":true}'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/would be refused live[\s\S]*enableShort needs a futures account/),
    });
    expect(
      run([
        '--strategy',
        'rsi-sniper',
        '--file',
        FIXTURE,
        '--params',
        '{"enableShort":true,"minVolume":"0"}',
        '--market',
        'futures',
        '--out',
        dir,
      ]),
    ).toMatchObject({
      code: 0,
      out: expect.stringMatching(
        /perpetual: 10x ISOLATED, wallet [0-9.]+, funding -?[0-9.]+ \([0-9]+ payments\), liquidations 0/,
      ),
    });
    expect(run(['--strategy', 'rsi-dip', '--file', FIXTURE, '--market', 'futures'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/rsi-dip does not run on futures yet/),
    });
  });

  it('works as `npm run backtest`', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      [
        'run',
        '--silent',
        'backtest',
        '--',
        '--strategy',
        'range-breakout',
        '--file',
        FIXTURE,
        '--params',
        JSON.stringify({
          rangeCandles: 24,
          pct: '0.5',
          repeat: true,
          sizing: { mode: 'quote', amount: '1000' },
          exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '1' } },
        }),
        '--out',
        dir,
        '--name',
        'rb',
        '--quiet',
      ],
      { cwd: ROOT, timeout: 120_000 },
    );
    expect(stdout).toBe(`result: ${path.join(dir, 'rb.json')}\nreport: ${path.join(dir, 'rb.html')}\n`);
    const result = JSON.parse(readFileSync(path.join(dir, 'rb.json'), 'utf8'));
    expect(result.strategy).toBe('range-breakout');
    expect(result.fills.length).toBeGreaterThan(0);
  });
});
