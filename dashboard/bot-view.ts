/**
 * One bot: status and controls, the price chart with its entries and exits, the PnL curve, the
 * params editor (the server's refusal shown under it, naming the field), orders, fills and every
 * decision with its reason. Seed 002's portfolio bots get a "run the daily check now" button.
 */
import { ApiError, api } from './api';
import type { Page } from './app';
import { type LineChart, type PriceChart, drawLineChart, drawPriceChart } from './chart';
import { ago, clear, h, num, signClass, time } from './dom';
import type { BotDetail, Candles, Trades } from './types';
import { badge, botControls, poll, toast } from './ui';

const STATE_MS = 2_000;
const CHART_MS = 10_000;

function card(label: string, value: string, cls = ''): HTMLElement {
  return h('div.card', null, h('b', { class: cls }, value), h('span', null, label));
}

function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number | HTMLElement)[])[],
  empty: string,
  id: string,
): HTMLElement {
  if (rows.length === 0) return h('p.dim', { id }, empty);
  return h(
    'div.scroll',
    null,
    h(
      `table#${id}`,
      null,
      h('thead', null, h('tr', null, ...headers.map((t) => h('th', null, t)))),
      h(
        'tbody',
        null,
        ...rows.map((r) => h('tr', null, ...r.map((c, i) => h('td', { dataset: { label: headers[i] ?? '' } }, c)))),
      ),
    ),
  );
}

function paramsEditor(name: string, params: Record<string, unknown>, saved: () => void): HTMLElement {
  const text = h('textarea', { rows: 6, spellcheck: false, 'aria-label': 'params (JSON)' });
  text.value = JSON.stringify(params, null, 2);
  const error = h('div.error.inline', { role: 'alert', dataset: { for: 'params' } });
  const save = h('button', { type: 'button' }, 'Save params');
  // Never rejects: every failure is shown in the panel.
  const saveParams = async (): Promise<void> => {
    error.textContent = '';
    text.classList.remove('invalid');
    let patch: unknown;
    try {
      patch = JSON.parse(text.value);
    } catch (err) {
      error.textContent = `Not JSON: ${(err as Error).message}`;
      text.classList.add('invalid');
      return;
    }
    save.disabled = true;
    try {
      const r = await api<{ params: Record<string, unknown> }>(
        'PATCH',
        `/api/v1/bots/${encodeURIComponent(name)}/params`,
        patch,
      );
      text.value = JSON.stringify(r.params, null, 2);
      toast(`${name}: params saved`);
      saved();
    } catch (err) {
      text.classList.add('invalid');
      error.textContent =
        err instanceof ApiError && err.problems.length > 0 ? err.problems.join('\n') : (err as Error).message;
    } finally {
      save.disabled = false;
    }
  };
  save.addEventListener('click', () => void saveParams());
  return h(
    'section.panel',
    null,
    h('h2', null, 'Params'),
    h(
      'p.dim',
      null,
      'Changed values are merged into the current ones; an invalid value is refused and the bot is left as it was.',
    ),
    text,
    error,
    save,
  );
}

function runNowPanel(name: string): HTMLElement {
  const out = h('div.dim');
  const button = h('button', { type: 'button' }, 'Run the daily check now');
  // Never rejects: every failure is shown in the panel.
  const runCheck = async (): Promise<void> => {
    button.disabled = true;
    out.textContent = 'running the check (candles of every symbol, then decisions)…';
    try {
      const r = await api<{ data: { buy: string[]; sell: string[]; hold: string[]; day: string; dryRun: boolean } }>(
        'POST',
        '/api/v1/market',
        { bot: name },
      );
      out.textContent = `${r.data.day}: buy [${r.data.buy.join(', ')}] · sell [${r.data.sell.join(', ')}] · hold [${r.data.hold.join(', ')}]${r.data.dryRun ? ' (dry run: test orders only)' : ''}`;
    } catch (err) {
      out.textContent = (err as Error).message;
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void runCheck());
  return h('section.panel', null, h('h2', null, 'Daily check (seed 002)'), button, out);
}

export function botPage(name: string, go: (hash: string) => void): Page {
  const head = h('div.bar');
  const cards = h('div.cards');
  const priceBox = h('div.chart#price-chart', { 'aria-label': 'price chart with entries and exits' });
  const pnlBox = h('div.chart.small#pnl-chart', { 'aria-label': 'PnL curve' });
  const chartNote = h(
    'p.legend',
    null,
    '▲ buys / entries (blue) under the candle, ▼ sells / exits (orange) above it · drag to pan, scroll or pinch to zoom',
  );
  const lists = h('div');
  const side = h('div');
  const message = h('p.error');
  let price: PriceChart | null = null;
  let pnl: LineChart | null = null;
  let detail: BotDetail | null = null;
  let editorFor: string | null = null;
  let tradesShown = false;

  const refreshState = async () => {
    try {
      detail = await api<BotDetail>('GET', `/api/v1/bots/${encodeURIComponent(name)}`);
      message.textContent = '';
    } catch (err) {
      message.textContent = (err as Error).message;
      return;
    }
    const d = detail;
    clear(head);
    head.append(
      h('h1', null, d.name),
      badge(d.status),
      h('span.dim', null, `${d.strategy} · ${d.symbol} ${d.interval} · account ${d.account}`),
      h('span.grow'),
      botControls(
        { name: d.name, status: d.status, openOrders: d.openOrders.length, workflowStatus: d.workflowStatus },
        () => void refreshState(),
        null,
      ),
    );
    clear(cards);
    const p = d.position;
    cards.append(
      card('position', Number(p.qty) !== 0 ? num(p.qty) : 'flat'),
      card('avg entry', Number(p.qty) !== 0 ? num(p.avgEntryPrice, 4) : '—'),
      card('last price', num(d.lastPrice, 4)),
      card('realised PnL', num(d.realizedPnl, 4), signClass(d.realizedPnl)),
      card('unrealised PnL', num(d.unrealizedPnl, 4), signClass(d.unrealizedPnl)),
      card('open orders', String(d.openOrders.length)),
      card('fills', String(d.stats.fills)),
      card('round trips', `${d.stats.roundTrips} (${d.stats.wins} won)`),
    );
    if (d.stopReason) cards.append(card('stop reason', d.stopReason));
    // The editor is built once per page (not on every poll, which would wipe what is being typed).
    if (editorFor !== d.name && d.workflowStatus === 'RUNNING') {
      editorFor = d.name;
      clear(side);
      side.append(paramsEditor(d.name, d.params, () => void refreshState()));
      if (d.strategy === 'macd-portfolio') side.append(runNowPanel(d.name));
    }
    // The chart's first load waits for the first state (it needs to know the bot runs).
    if (!tradesShown) {
      tradesShown = true;
      void refreshTrades().catch((err) => toast(`chart: ${(err as Error).message}`, 'error'));
    }
  };

  const refreshTrades = async () => {
    if (!detail || detail.workflowStatus !== 'RUNNING') return;
    const [t, c] = await Promise.all([
      api<Trades>('GET', `/api/v1/bots/${encodeURIComponent(name)}/trades`),
      api<Candles>('GET', `/api/v1/bots/${encodeURIComponent(name)}/candles?limit=300`),
    ]);
    if (price) price.update(c.candles, c.markers);
    else price = drawPriceChart(priceBox, c.candles, c.markers);
    const points = t.pnl.map((x) => ({ time: x.time, value: Number(x.total) }));
    if (pnl) pnl.update(points);
    else pnl = drawLineChart(pnlBox, points);
    clear(lists);
    lists.append(
      h('h2', null, 'Decisions'),
      table(
        ['time', 'what', 'why'],
        [...t.decisions]
          .reverse()
          .slice(0, 100)
          .map((x) => [time(x.time), x.action, x.reason]),
        'No decision yet.',
        'decisions',
      ),
      h('h2', null, 'Orders'),
      table(
        ['created', 'tag', 'side', 'type', 'qty', 'price', 'status', 'filled', 'reason'],
        t.orders.map((o) => [
          time(o.createdAt),
          o.tag,
          o.request.side,
          o.request.type,
          num(o.request.quantity ?? o.request.quoteOrderQty),
          num(o.request.price ?? o.request.stopPrice),
          o.status,
          num(o.executedQty),
          o.rejectReason ? `${o.reason ?? ''} (rejected: ${o.rejectReason})` : (o.reason ?? ''),
        ]),
        'No order yet.',
        'orders',
      ),
      h('h2', null, 'Fills'),
      table(
        ['time', 'tag', 'side', 'qty', 'price', 'quote', 'fee'],
        [...t.fills]
          .reverse()
          .map((f) => [
            time(f.time),
            `${f.tag} (${f.purpose})`,
            f.side,
            num(f.qty),
            num(f.price, 4),
            num(f.quoteQty, 4),
            `${num(f.commission)} ${f.commissionAsset}`,
          ]),
        'No fill yet.',
        'fills',
      ),
      h('h2', null, 'Notifications'),
      table(
        ['time', 'level', 'message'],
        [...(detail?.notifications ?? [])]
          .reverse()
          .map((n) => [`${time(n.time)} (${ago(n.time)})`, n.level, n.message]),
        'None.',
        'notifications',
      ),
    );
  };

  const stops = [poll(refreshState, STATE_MS)];
  const chartTimer = window.setInterval(() => void refreshTrades().catch(() => {}), CHART_MS);
  const el = h(
    'main',
    null,
    h('p', null, h('a', { href: '#/bots', onclick: (e: Event) => (e.preventDefault(), go('#/bots')) }, '← all bots')),
    head,
    message,
    cards,
    h(
      'div.columns',
      null,
      h(
        'div.main-col',
        null,
        h('h2', null, 'Price'),
        priceBox,
        chartNote,
        h('h2', null, 'PnL (realised after each round trip, then with the open position)'),
        pnlBox,
        lists,
      ),
      h('div.side-col', null, side),
    ),
  );
  return {
    el,
    dispose() {
      for (const s of stops) s();
      window.clearInterval(chartTimer);
      price?.destroy();
      pnl?.destroy();
    },
  };
}
