/** Pieces shared by the dashboard's pages: polling, the confirmation dialog, status badges, bot controls. */
import { api } from './api';
import { h } from './dom';

/** Call `fn` now and every `everyMs` while the tab is visible; returns the stop function. */
export function poll(fn: () => Promise<void>, everyMs: number): () => void {
  let stopped = false;
  let timer: number | undefined;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState !== 'hidden') await fn().catch((err: unknown) => console.error(err));
    if (!stopped) timer = window.setTimeout(tick, everyMs);
  };
  void tick();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

/** A modal confirmation (a <dialog>, so it works the same on a phone); resolves true on confirm. */
export function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog.confirm', { 'aria-label': title });
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.append(
      h('h3', null, title),
      h('p', null, text),
      h(
        'div.actions',
        null,
        h('button.secondary', { type: 'button', onclick: () => done(false) }, 'Cancel'),
        h('button.danger', { type: 'button', onclick: () => done(true), dataset: { confirm: '1' } }, confirmLabel),
      ),
    );
    dialog.addEventListener('cancel', () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function badge(status: string): HTMLElement {
  return h(`span.badge.s-${status.toLowerCase()}`, { dataset: { status } }, status);
}

export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = h(`div.toast.${kind}`, { role: 'status' }, message);
  document.body.append(el);
  window.setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3000);
}

/** Pause / Resume and Stop (with confirmation) for one bot; `changed` runs after each action. */
export function botControls(
  bot: {
    readonly name: string;
    readonly status: string;
    readonly openOrders: number | null;
    readonly workflowStatus: string;
  },
  changed: () => void,
  onStop: string | null = null,
): HTMLElement {
  const box = h('span.controls');
  if (bot.workflowStatus !== 'RUNNING' || bot.status === 'STOPPING' || bot.status === 'STOPPED') return box;
  const act = async (button: HTMLButtonElement, path: string, label: string) => {
    button.disabled = true;
    try {
      const r = await api<{ status: string }>('POST', `/api/v1/bots/${encodeURIComponent(bot.name)}/${path}`);
      toast(`${bot.name}: ${label} → ${r.status}`);
    } catch (err) {
      toast(`${bot.name}: ${(err as Error).message}`, 'error');
    } finally {
      button.disabled = false;
      changed();
    }
  };
  const paused = bot.status === 'PAUSED';
  const toggle: HTMLButtonElement = h(
    'button.secondary',
    {
      type: 'button',
      dataset: { action: paused ? 'resume' : 'pause', bot: bot.name },
      onclick: () => act(toggle, paused ? 'resume' : 'pause', paused ? 'resume' : 'pause'),
    },
    paused ? 'Resume' : 'Pause',
  );
  const stop: HTMLButtonElement = h(
    'button.danger',
    {
      type: 'button',
      dataset: { action: 'stop', bot: bot.name },
      onclick: async () => {
        const orders = bot.openOrders ?? 0;
        const ok = await confirmDialog(
          `Stop ${bot.name}?`,
          `The bot stops for good (start it again from a definition). It has ${orders} open order${orders === 1 ? '' : 's'}${onStop ? `, handled per its onStop policy "${onStop}"` : ', handled per its onStop policy'}.`,
          'Stop the bot',
        );
        if (ok) await act(stop, 'stop', 'stop');
      },
    },
    'Stop',
  );
  box.append(toggle, stop);
  return box;
}
