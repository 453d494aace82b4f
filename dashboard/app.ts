/**
 * The dashboard: a single page served by the control API. Routes (in the URL hash):
 *
 *   #/login        log in
 *   #/bots         every bot, live (polled), with pause / resume / stop and the wallet balance
 *   #/bots/<name>  one bot: chart with entries and exits, PnL curve, orders, fills, decisions, params
 *   #/start        start a bot from a strategy and its documented params
 */
import { ApiError, hasSession, login, logout, setLoggedOutHandler } from './api';
import { botPage } from './bot-view';
import { botsPage } from './bots-view';
import { clear, h } from './dom';
import { startPage } from './start-view';

export interface Page {
  readonly el: HTMLElement;
  dispose(): void;
}

const root = document.getElementById('app')!;
let current: Page | null = null;

function go(hash: string): void {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function loginPage(): Page {
  const error = h('p.error', { role: 'alert' });
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, 'aria-label': 'username' });
  const pass = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-label': 'password',
  });
  const button = h('button', { type: 'submit' }, 'Log in');
  const form = h(
    'form.login',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        button.disabled = true;
        try {
          await login(user.value, pass.value);
          go('#/bots');
        } catch (err) {
          error.textContent =
            err instanceof ApiError && err.status === 429
              ? `Too many attempts: ${err.message}`
              : err instanceof ApiError && err.status === 401
                ? 'Wrong username or password.'
                : `Login failed: ${(err as Error).message}`;
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', null, 'Trading bots'),
    h('label', null, 'Username', user),
    h('label', null, 'Password', pass),
    button,
    error,
  );
  return { el: h('main.center', null, form), dispose() {} };
}

function shell(page: Page): Page {
  const nav = h(
    'header.top',
    null,
    h('a.brand', { href: '#/bots' }, 'Trading bots'),
    h(
      'nav',
      null,
      h('a', { href: '#/bots' }, 'Bots'),
      h('a', { href: '#/start' }, 'Start a bot'),
      h('a', { href: '/api/v1/openapi.json', target: '_blank', rel: 'noopener' }, 'API'),
    ),
    h(
      'button.link',
      {
        onclick: async () => {
          await logout().catch(() => {});
          go('#/login');
        },
      },
      'Log out',
    ),
  );
  return { el: h('div', null, nav, page.el), dispose: () => page.dispose() };
}

function route(): void {
  current?.dispose();
  clear(root);
  const hash = location.hash || '#/bots';
  let page: Page;
  if (hash === '#/login' || !hasSession()) page = loginPage();
  else if (hash === '#/start') page = shell(startPage(go));
  else if (hash.startsWith('#/bots/')) page = shell(botPage(decodeURIComponent(hash.slice('#/bots/'.length)), go));
  else page = shell(botsPage(go));
  current = page;
  root.append(page.el);
  document.body.dataset.page = hash === '#/login' || !hasSession() ? 'login' : (hash.split('/')[1] ?? 'bots');
}

setLoggedOutHandler(() => {
  if (location.hash !== '#/login') go('#/login');
});
window.addEventListener('hashchange', route);
route();
