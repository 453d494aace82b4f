/**
 * The bot's one durable timer for its next wake-up (strategy timers, reconciliation), re-armed
 * only when that time changes: a timer per loop turn would add two history events to every signal.
 * Runs in the workflow sandbox; the commands it emits are those the bot workflow always emitted
 * (one timer in its own cancellation scope, cancelled when the time changes).
 */
import * as wf from '@temporalio/workflow';

export interface WakeTimer {
  /** Arm for `at` (null: no wake-up); nothing happens when already armed for that time. */
  arm(at: number | null): void;
  disarm(): void;
}

/** `onDue` runs when the armed time has come (not when the timer was re-armed or disarmed first). */
export function createWakeTimer(onDue: () => void): WakeTimer {
  let armedFor: number | null = null;
  let armedScope: wf.CancellationScope | null = null;

  function disarm(): void {
    armedScope?.cancel();
    armedScope = null;
    armedFor = null;
  }

  function arm(at: number | null): void {
    if (at === armedFor) return;
    disarm();
    armedFor = at;
    if (at === null) return;
    const scope = new wf.CancellationScope();
    armedScope = scope;
    scope
      .run(() => wf.sleep(Math.max(1, at - Date.now())))
      .then(
        () => {
          if (armedFor === at) {
            armedFor = null;
            armedScope = null;
            onDue();
          }
        },
        (err) => {
          if (!wf.isCancellation(err)) throw err;
        },
      );
  }

  return { arm, disarm };
}
