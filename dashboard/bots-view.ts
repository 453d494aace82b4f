/** The bots page: every bot with status, position, PnL, open orders and last decision, kept live. */
import { api } from './api';
import type { Page } from './app';
import { ago, clear, h, num, signClass } from './dom';
import type { BotRow } from './types';
import { badge, botControls, poll, toast } from './ui';

const REFRESH_MS = 2_000;

interface Balance {
  readonly data: {
    readonly inTokens: readonly {
      readonly symbol: string;
      readonly freeTokens: string;
      readonly lockedTokens: string;
      readonly freeUSDT: string | null;
      readonly lockedUSDT: string | null;
    }[];
    readonly liquid: { readonly free: string; readonly locked: string };
    readonly totalBalance: string;
  };
}

function row(bot: BotRow, refresh: () => void, go: (hash: string) => void): HTMLTableRowElement {
  const position =
    bot.position && Number(bot.position.qty) !== 0
      ? `${num(bot.position.qty)} @ ${num(bot.position.avgEntryPrice, 4)}`
      : bot.position
        ? 'flat'
        : '—';
  const last = bot.error
    ? h('span.neg', null, bot.error)
    : bot.lastDecision
      ? h(
          'span',
          { title: bot.lastDecision.reason },
          `${ago(bot.lastDecision.time)}: ${bot.lastDecision.action} — ${bot.lastDecision.reason}`,
        )
      : ago(bot.lastEventTime);
  return h(
    'tr',
    { dataset: { bot: bot.name, status: bot.status } },
    h(
      'td',
      { dataset: { label: 'bot' } },
      h(
        'a',
        {
          href: `#/bots/${encodeURIComponent(bot.name)}`,
          onclick: (e: Event) => (e.preventDefault(), go(`#/bots/${encodeURIComponent(bot.name)}`)),
        },
        bot.name,
      ),
    ),
    h('td', { dataset: { label: 'strategy' } }, bot.strategy),
    h(
      'td',
      { dataset: { label: 'symbol' } },
      bot.symbol,
      bot.interval ? h('span.dim', null, ` ${bot.interval}`) : null,
    ),
    h('td.status', { dataset: { label: 'status' } }, badge(bot.status)),
    h('td.n', { dataset: { label: 'position' } }, position),
    h('td.n', { dataset: { label: 'realised' }, class: signClass(bot.realizedPnl) }, num(bot.realizedPnl, 4)),
    h('td.n', { dataset: { label: 'unrealised' }, class: signClass(bot.unrealizedPnl) }, num(bot.unrealizedPnl, 4)),
    h('td.n', { dataset: { label: 'open orders' } }, bot.openOrders ?? '—'),
    h('td.last', { dataset: { label: 'last event' } }, last),
    h('td.actions', null, botControls(bot, refresh)),
  );
}

function balancePanel(): HTMLElement {
  const account = h('input', {
    value: '',
    placeholder: 'account (default: the only one)',
    'aria-label': 'account',
    size: 14,
  });
  const out = h('div.balance');
  const load = async () => {
    clear(out);
    out.append(h('span.dim', null, 'reading the wallet through the worker…'));
    try {
      const q = account.value.trim() ? `?account=${encodeURIComponent(account.value.trim())}` : '';
      const b = await api<Balance>('GET', `/api/v1/balance${q}`);
      clear(out);
      out.append(
        h(
          'div.cards',
          null,
          h('div.card', null, h('b', null, num(b.data.totalBalance, 2)), h('span', null, 'total (USDT)')),
          h('div.card', null, h('b', null, num(b.data.liquid.free, 2)), h('span', null, 'liquid USDT')),
          ...b.data.inTokens.map((t) =>
            h(
              'div.card',
              null,
              h('b', null, num(t.freeTokens)),
              h(
                'span',
                null,
                `${t.symbol.replace(/USDT$/, '')} ≈ ${num(t.freeUSDT, 2)} USDT${Number(t.lockedTokens) > 0 ? ` (+${num(t.lockedTokens)} locked)` : ''}`,
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      clear(out);
      out.append(h('span.neg', null, (err as Error).message));
    }
  };
  return h(
    'section.panel',
    null,
    h('h2', null, 'Wallet ', account, ' ', h('button.secondary', { type: 'button', onclick: load }, 'Show balance')),
    out,
  );
}

export function botsPage(go: (hash: string) => void): Page {
  const tbody = h('tbody');
  const note = h('p.dim');
  const all = h('input', { type: 'checkbox', 'aria-label': 'show stopped bots' });
  const refresh = async () => {
    const { bots } = await api<{ bots: BotRow[] }>('GET', `/api/v1/bots${all.checked ? '?all=true' : ''}`);
    clear(tbody);
    for (const b of bots) tbody.append(row(b, () => void refresh(), go));
    note.textContent =
      bots.length === 0
        ? 'No bot is running. Start one from a strategy.'
        : `${bots.length} bot${bots.length === 1 ? '' : 's'} · updated ${new Date().toLocaleTimeString()}`;
    tbody.dataset.loaded = '1';
  };
  all.addEventListener('change', () => void refresh());
  const everyBot = (action: 'pause' | 'start') => async () => {
    try {
      const r = await api<{ Message: string; bots: string[] }>('PUT', `/api/v1/server/${action}`);
      toast(`${r.Message}: ${r.bots.length} bot(s)`);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
    await refresh();
  };
  const table = h(
    'table.bots',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...[
          'bot',
          'strategy',
          'symbol',
          'status',
          'position',
          'realised',
          'unrealised',
          'open orders',
          'last event',
          '',
        ].map((t) => h('th', null, t)),
      ),
    ),
    tbody,
  );
  const stop = poll(refresh, REFRESH_MS);
  const el = h(
    'main',
    null,
    h(
      'div.bar',
      null,
      h('h1', null, 'Bots'),
      h('span.grow'),
      h('label.dim', null, all, ' stopped too'),
      h('button.secondary', { type: 'button', onclick: everyBot('pause') }, 'Pause all'),
      h('button.secondary', { type: 'button', onclick: everyBot('start') }, 'Resume all'),
      h('a.button', { href: '#/start' }, 'Start a bot'),
    ),
    h('div.scroll', null, table),
    note,
    balancePanel(),
  );
  return { el, dispose: stop };
}
