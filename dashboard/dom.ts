/** A tiny element builder: h('div.card', {onclick}, 'text', child). No framework, no innerHTML of data. */
type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown> & { dataset?: Record<string, string> };

/** An attribute's text: strings and numbers as they are, anything else as JSON. */
function attrText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : JSON.stringify(value);
}

export function h<K extends keyof HTMLElementTagNameMap>(
  spec: K | `${K}.${string}` | `${K}#${string}`,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  // "div.chart.small#pnl-chart": the tag, then classes and an id in any order.
  const tag = /^[a-z0-9]+/i.exec(spec)![0];
  const el = document.createElement(tag as K);
  const classes: string[] = [];
  for (const token of spec.slice(tag.length).match(/[.#][^.#]+/g) ?? []) {
    if (token[0] === '#') el.id = token.slice(1);
    else classes.push(token.slice(1));
  }
  if (classes.length > 0) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'class') el.className = `${el.className} ${attrText(value)}`.trim();
    else if (key in el && typeof value !== 'string') (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, value === true ? '' : attrText(value));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** "12.34" with at most `dp` decimals, "—" for nothing. Amounts stay exact strings in the API. */
export function num(value: string | number | null | undefined, dp = 8): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const fixed = n.toFixed(dp);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

export function signClass(value: string | number | null | undefined): string {
  const n = Number(value ?? 0);
  return n > 0 ? 'pos' : n < 0 ? 'neg' : '';
}

export function time(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
