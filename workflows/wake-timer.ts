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
  /** The armed time has come (cleared by `take`). */
  due(): boolean;
  /** True once per time the timer fired. */
  take(): boolean;
}

export function createWakeTimer(): WakeTimer {
  let armedFor: number | null = null;
  let armedScope: wf.CancellationScope | null = null;
  let wakeDue = false;

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
            wakeDue = true;
            armedFor = null;
            armedScope = null;
          }
        },
        (err) => {
          if (!wf.isCancellation(err)) throw err;
        },
      );
  }

  return {
    arm,
    disarm,
    due: () => wakeDue,
    take() {
      const was = wakeDue;
      wakeDue = false;
      return was;
    },
  };
}
