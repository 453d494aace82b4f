/**
 * The pure parts of Telegram and notifications: /run arguments (the bot-definition schema),
 * settings from the environment, reply texts, and the outbox's once-only delivery.
 */
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../core/notices';
import { type Channel, type DeliveryPayload, PermanentDeliveryError } from '../../notify/channels';
import { Notifier } from '../../notify/notifier';
import { createNotifyActivities } from '../../activities/notify';
import { maxDrawdown } from '../../telegram/format';
import { parseRunArgs } from '../../telegram/run-args';
import { DEFAULT_MODES, notifySettings, telegramSettings } from '../../telegram/settings';

const TOKEN = `123456789:${'A'.repeat(35)}`;

describe('/run arguments', () => {
  const o = { defaultAccount: 'paper', now: 1_700_000_000_000 };

  it('builds a definition validated like a config file; numbers given for decimals become text', () => {
    const r = parseRunArgs(
      [
        'dca-take-profit',
        'btcusdt',
        'quantity=0.01',
        'everyCandles=2',
        'takeProfitPct=1.5',
        'interval=5m',
        'name=my-dca',
      ],
      o,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.definition).toMatchObject({
      name: 'my-dca',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      interval: '5m',
      account: 'paper',
      params: { quantity: '0.01', everyCandles: 2, takeProfitPct: '1.5' },
    });
  });

  it('trades=N: the strategy’s own trade count and the kernel’s stop after N trades (seed 001)', () => {
    const r = parseRunArgs(['model-scalper', 'BTCUSDT', 'trades=3', 'quantity=0.001'], o);
    expect(r.ok && r.definition.params).toMatchObject({ numTrades: 3, quantity: '0.001' });
    expect(r.ok && r.definition.risk).toMatchObject({ stopAfterTrades: 3 });
    const g = parseRunArgs(['dca-take-profit', 'BTCUSDT', 'trades=2', 'quantity=0.01'], o);
    expect(g.ok && g.definition.risk.stopAfterTrades).toBe(2);
    expect(g.ok && 'numTrades' in g.definition.params).toBe(false);
    expect(g.ok && g.definition.name).toMatch(/^dca-take-profit-btcusdt-/);
  });

  it('nests dotted keys and takes JSON values', () => {
    const r = parseRunArgs(
      [
        'smart-trade',
        'ETHUSDT',
        'sizing={"mode":"base","quantity":"0.1"}',
        'exits.stopLoss.pct=2',
        'exits.takeProfits=[{"pct":"3","share":"100"}]',
      ],
      o,
    );
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.definition.params).toMatchObject({
      exits: { stopLoss: { pct: '2' }, takeProfits: [{ pct: '3', share: '100' }] },
    });
  });

  it('refuses with the reason, naming the field', () => {
    const bad = (args: string[]) => {
      const r = parseRunArgs(args, o);
      return r.ok ? [] : r.problems;
    };
    expect(bad(['nope', 'BTCUSDT']).join()).toMatch(/unknown strategy "nope"/);
    expect(bad(['dca-take-profit']).join()).toMatch(/usage: \/run/);
    expect(bad(['dca-take-profit', 'BTCUSDT', 'quantity=-1']).join()).toMatch(
      /params\.quantity: must be greater than 0/,
    );
    expect(bad(['dca-take-profit', 'BTCUSDT', 'quantity=0.1', 'trades=0']).join()).toMatch(
      /trades: must be a whole number/,
    );
    expect(bad(['dca-take-profit', 'BTCUSDT', 'quantity=0.1', 'bogus']).join()).toMatch(/expected key=value/);
    expect(bad(['dca-take-profit', 'BTCUSDT', 'quantity=0.1', '__proto__.x=1']).join()).toMatch(/not a param name/);
    expect(bad(['dca-take-profit', 'BTCUSDT', 'quantity=0.1', 'interval=7m']).join()).toMatch(
      /interval: must be one of/,
    );
  });
});

describe('settings', () => {
  it('no token: no Telegram; a token needs allowed chats; ids are checked', () => {
    expect(telegramSettings({})).toBeNull();
    expect(() => telegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN })).toThrow(/TELEGRAM_ALLOWED_CHATS: required/);
    expect(() => telegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_CHATS: '12,abc' })).toThrow(
      /"abc" is not a chat or user id/,
    );
    expect(() => telegramSettings({ TELEGRAM_BOT_TOKEN: 'nope', TELEGRAM_ALLOWED_CHATS: '1' })).toThrow(
      /TELEGRAM_BOT_TOKEN/,
    );
    const s = telegramSettings(
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_CHATS: '12, -100345', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' },
      '/tmp/x',
    )!;
    expect(s).toMatchObject({
      allowedChats: [12, -100345],
      notifyChats: [12, -100345],
      allowedUsers: null,
      apiRoot: 'http://127.0.0.1:9',
      stateFile: '/tmp/x/telegram-state.json',
    });
  });

  it('notification kinds on / silent / off', () => {
    expect(notifySettings({}).modes).toEqual(DEFAULT_MODES);
    expect(notifySettings({ TELEGRAM_NOTIFY: 'fill=on, warning=off,entry=silent' }).modes).toMatchObject({
      fill: 'on',
      warning: 'off',
      entry: 'silent',
      exit: 'on',
    });
    expect(() => notifySettings({ TELEGRAM_NOTIFY: 'fills=on' })).toThrow(/kind one of/);
  });
});

describe('replies', () => {
  it('max drawdown is the largest fall of cumulative PnL from its peak', () => {
    const trip = (closedAt: number, pnl: string) => ({
      openedAt: 0,
      closedAt,
      entryQty: '1',
      avgEntryPrice: '1',
      avgExitPrice: '1',
      pnl,
    });
    expect(maxDrawdown([trip(1, '5'), trip(2, '-3'), trip(3, '-4'), trip(4, '10'), trip(5, '-2')])).toBe('7');
    expect(maxDrawdown([])).toBe('0');
  });
});

describe('outbox delivery', () => {
  const notice = (id: string, kind: Notice['kind'] = 'entry'): Notice => ({
    id,
    kind,
    bot: 'b',
    time: 1,
    text: `notice ${id}`,
  });

  function setup(channel: Channel, modes: Partial<typeof DEFAULT_MODES> = {}) {
    const settings = {
      ...notifySettings({}),
      dbFile: path.join(os.tmpdir(), `outbox-${randomUUID()}.db`),
      modes: { ...DEFAULT_MODES, ...modes },
    };
    const logged: string[] = [];
    return { notifier: new Notifier({ settings, log: (l) => logged.push(l), channels: [channel] }), logged, settings };
  }

  it('sends each notice once per channel however often it is submitted (retries, replays, a second worker)', async () => {
    const got: DeliveryPayload[] = [];
    const { notifier, logged, settings } = setup({ name: 'test', send: async (p) => (got.push(p), 'ok') });
    expect(await notifier.submit([notice('a')])).toEqual({ queued: 2, sent: 2, pending: 0 });
    expect(await notifier.submit([notice('a')])).toEqual({ queued: 0, sent: 0, pending: 0 });
    const second = new Notifier({
      settings,
      log: () => {},
      channels: [{ name: 'test', send: async (p) => (got.push(p), 'ok') }],
    });
    await second.submit([notice('a')]);
    await second.deliverDue();
    expect(got.map((p) => p.id)).toEqual(['a']);
    expect(logged.filter((l) => l.includes('notice a'))).toHaveLength(1);
    notifier.close();
    second.close();
  });

  it('a failing channel is retried later; a permanent failure is dropped; "off" goes to the log only; "silent" is silent', async () => {
    let up = false;
    const got: DeliveryPayload[] = [];
    const { notifier } = setup(
      {
        name: 'test',
        send: async (p) => {
          if (p.id === 'gone') throw new PermanentDeliveryError('400 chat not found');
          if (!up) throw new Error('unreachable');
          got.push(p);
          return 'ok';
        },
      },
      { fill: 'off', warning: 'silent' },
    );
    expect((await notifier.submit([notice('x')])).pending).toBe(1);
    up = true;
    notifier.outbox.release('x', 'test', 'retry now', 0); // skip the back-off
    expect(await notifier.deliverDue()).toBe(1);
    await notifier.submit([notice('gone'), notice('f', 'fill'), notice('w', 'warning')]);
    expect(notifier.outbox.get('gone', 'test')?.status).toBe('failed');
    expect(notifier.outbox.get('f', 'test')).toBeNull();
    expect(notifier.outbox.get('f', 'log')?.status).toBe('sent');
    expect(got.map((p) => [p.id, p.silent])).toEqual([
      ['x', false],
      ['w', true],
    ]);
    notifier.close();
  });

  it('the notification activity stores and returns without waiting for the channel; the send goes on in the background, once', async () => {
    const got: string[] = [];
    let answer: (() => void) | null = null;
    const { notifier } = setup({
      name: 'test',
      send: (p) => new Promise<string>((resolve) => (answer = () => (got.push(p.id), resolve('ok')))),
    });
    const notify = createNotifyActivities({ notifier });
    // The channel does not answer: the activity (a local activity in the bot's workflow task) returns anyway.
    expect(await notify.deliverNotifications({ notices: [notice('bg')] })).toEqual({ queued: 2, sent: 0, pending: 2 });
    expect(notifier.outbox.get('bg', 'test')).toMatchObject({ status: 'pending', attempts: 1 });
    // Run again (its marker not recorded before a crash): nothing new, nothing sent twice.
    expect((await notify.deliverNotifications({ notices: [notice('bg')] })).queued).toBe(0);
    let idle = false;
    const waiting = notifier.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false); // shutdown waits for the send under way
    answer!();
    await waiting;
    expect(got).toEqual(['bg']);
    expect(notifier.outbox.get('bg', 'test')?.status).toBe('sent');
    await expect(notify.deliverNotifications({ notices: [{ id: '', kind: 'entry' }] } as never)).rejects.toThrow(
      /input must be/,
    );
    notifier.close();
  });

  it('a delivery held by a process that died is sent once its claim expires, by whoever claims it', async () => {
    const got: string[] = [];
    const { notifier, settings } = setup({ name: 'test', send: async (p) => (got.push(p.id), 'ok') });
    notifier.outbox.enqueue([
      {
        id: 'k',
        channel: 'test',
        payload: JSON.stringify({ id: 'k', kind: 'entry', bot: 'b', time: 1, text: 't', silent: false }),
      },
    ]);
    const dead = notifier.outbox.claim('k', 'test', Date.now());
    expect(dead).not.toBeNull();
    expect(await notifier.deliverDue()).toBe(0); // still claimed
    const later = new Notifier({
      settings,
      log: () => {},
      channels: [{ name: 'test', send: async (p) => (got.push(p.id), 'ok') }],
    });
    expect(later.outbox.claimDue(10, Date.now() + 60_000)).toHaveLength(1);
    notifier.close();
    later.close();
  });
});
