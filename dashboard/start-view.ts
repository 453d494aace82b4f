/**
 * Start a bot from a strategy: its params listed from the server's schema (type, default, bounds,
 * required), a JSON editor pre-filled with the defaults, and the server's refusal shown under the
 * fields it names. Nothing starts unless the whole definition is valid.
 */
import { ApiError, api } from './api';
import type { Page } from './app';
import { clear, h } from './dom';
import type { JsonSchema, StrategyInfo } from './types';

const INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w'];

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  if (t === 'array' && s.items) return `${typeOf(s.items)}[]`;
  if (t === 'string' && !s.pattern) return 'string (decimals as "0.01")';
  return t;
}

function bounds(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < 9e15) parts.push(`≤ ${s.maximum}`);
  return parts.join(', ');
}

/** Defaults, and a placeholder of the right type for required params without one. */
function example(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(schema.properties ?? {})) {
    if (p.default !== undefined) out[key] = p.default;
    else if ((schema.required ?? []).includes(key))
      out[key] =
        p.type === 'integer' || p.type === 'number' ? 1 : p.type === 'array' ? [] : p.type === 'boolean' ? false : '';
  }
  return out;
}

function field(label: string, input: HTMLElement, name: string): { wrap: HTMLElement; error: HTMLElement } {
  const error = h('div.error.inline', { dataset: { for: name } });
  return { wrap: h('label', null, label, input, error), error };
}

export function startPage(go: (hash: string) => void): Page {
  const strategy = h('select', { name: 'strategy', 'aria-label': 'strategy' });
  const name = h('input', { name: 'name', placeholder: 'my-bot', required: true });
  const symbol = h('input', { name: 'symbol', value: 'BTCUSDT', required: true });
  const interval = h(
    'select',
    { name: 'interval' },
    ...INTERVALS.map((i) => h('option', { value: i, selected: i === '1m' }, i)),
  );
  const account = h('input', { name: 'account', value: 'paper' });
  const onStop = h(
    'select',
    { name: 'onStop' },
    ...['cancel-orders', 'leave-orders', 'close-position'].map((v) => h('option', { value: v }, v)),
  );
  const params = h('textarea', { name: 'params', rows: 10, spellcheck: false });
  const about = h('div.about');
  const fields = {
    name: field('Name', name, 'name'),
    symbol: field('Symbol', symbol, 'symbol'),
    interval: field('Candle interval', interval, 'interval'),
    account: field('Account', account, 'account'),
    onStop: field('On stop', onStop, 'onStop'),
    params: field('Params (JSON)', params, 'params'),
  };
  const general = h('div.error', { role: 'alert' });
  let strategies: StrategyInfo[] = [];

  const describe = () => {
    const s = strategies.find((x) => x.id === strategy.value);
    clear(about);
    if (!s) return;
    const props = Object.entries(s.params.properties ?? {});
    about.append(
      h('p', null, h('b', null, s.title)),
      h('p.dim', null, s.description),
      h(
        'div.scroll',
        null,
        h(
          'table#params-doc',
          null,
          h('thead', null, h('tr', null, ...['param', 'type', 'default', 'bounds', ''].map((t) => h('th', null, t)))),
          h(
            'tbody',
            null,
            ...props.map(([k, p]) =>
              h(
                'tr',
                null,
                h('td', null, h('code', null, k)),
                h('td', null, typeOf(p)),
                h('td', null, p.default === undefined ? '' : JSON.stringify(p.default)),
                h('td', null, bounds(p)),
                h('td', null, (s.params.required ?? []).includes(k) ? 'required' : ''),
              ),
            ),
          ),
        ),
      ),
    );
    params.value = JSON.stringify(example(s.params), null, 2);
  };
  strategy.addEventListener('change', describe);

  void api<{ strategies: StrategyInfo[] }>('GET', '/api/v1/strategies').then((r) => {
    strategies = r.strategies;
    for (const s of strategies) strategy.append(h('option', { value: s.id }, `${s.id} — ${s.title}`));
    describe();
  });

  const submit = h('button', { type: 'submit' }, 'Start the bot');
  const form = h(
    'form.start',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        for (const f of Object.values(fields)) f.error.textContent = '';
        general.textContent = '';
        let p: unknown;
        try {
          p = JSON.parse(params.value || '{}');
        } catch (err) {
          fields.params.error.textContent = `Not JSON: ${(err as Error).message}`;
          return;
        }
        submit.disabled = true;
        try {
          await api('POST', '/api/v1/bots', {
            name: name.value.trim(),
            strategy: strategy.value,
            symbol: symbol.value.trim(),
            interval: interval.value,
            account: account.value.trim(),
            onStop: onStop.value,
            params: p,
          });
          go(`#/bots/${encodeURIComponent(name.value.trim())}`);
        } catch (err) {
          if (!(err instanceof ApiError) || err.problems.length === 0) {
            general.textContent = (err as Error).message;
            return;
          }
          // Each problem goes under the field it names (params.x under the params editor).
          for (const problem of err.problems) {
            const key = (Object.keys(fields) as (keyof typeof fields)[]).find((k) =>
              new RegExp(`(^|: )${k}(\\.|:)`).test(problem),
            );
            const target = key ? fields[key].error : general;
            target.textContent = `${target.textContent ? `${target.textContent}\n` : ''}${problem.replace(/^request body: (bot "[^"]*"(?: \(#\d+\))?: )?/, '')}`;
          }
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', null, 'Strategy', strategy),
    about,
    fields.name.wrap,
    fields.symbol.wrap,
    fields.interval.wrap,
    fields.account.wrap,
    fields.onStop.wrap,
    fields.params.wrap,
    general,
    submit,
  );
  return { el: h('main', null, h('h1', null, 'Start a bot'), form), dispose() {} };
}
