/**
 * The kernel's commands run as activities, and their outcomes come back as kernel events
 * (workflows/queue-items.ts). One runner: each command names its activity call, what a result
 * means and what a failure means, read with the SDK's failure classes (workflows/failures.ts).
 *
 * Each call is made synchronously, before the runner's first await, so the activities are
 * scheduled in the order the kernel emitted the commands (the order recorded histories replay).
 */
import type { Activities } from '../activities';
import type { BotState, Command } from '../core/kernel';
import { failureMessage, placementFailure } from './failures';
import type { ResultItem } from './queue-items';
import type { ResetWatch } from './reset-detection';
import { placementContext } from './run-context';
import type { VenueActivities } from './venue-acts';

export interface CommandRunnerDeps {
  readonly state: () => BotState;
  readonly venue: VenueActivities;
  readonly placeOco: Activities['placeOco'];
  readonly fetchData: Activities['fetchData'];
  readonly resets: ResetWatch;
  /** An exchange call's outcome for the start gate (null: it succeeded; workflows/start-gate.ts). */
  readonly noteExchange: (err: unknown) => void;
}

export type CommandRunner = (command: Command) => Promise<readonly ResultItem[]>;

/** Call, then read the outcome: a result as `done` says, any failure (of the call or of reading it) as `failed`. */
async function attempt<R>(
  call: () => Promise<R>,
  done: (result: R) => readonly ResultItem[],
  failed: (err: unknown) => readonly ResultItem[],
): Promise<readonly ResultItem[]> {
  try {
    return done(await call());
  } catch (err) {
    return failed(err);
  }
}

export function createCommandRunner(deps: CommandRunnerDeps): CommandRunner {
  const { venue, resets } = deps;
  return (command) => {
    const state = deps.state();
    const account = state.setup.account;
    switch (command.type) {
      case 'placeOrder': {
        const { clientOrderId, request } = command;
        return attempt(
          () => venue.placeOrder({ account, clientOrderId, request, ...placementContext(resets, command.resume) }),
          (snapshot) => [{ type: 'orderPlaced', snapshot }],
          (err) => {
            deps.noteExchange(err);
            return placementOutcome([clientOrderId], err);
          },
        );
      }
      case 'placeOco': {
        const { type: _t, ...oco } = command;
        return attempt(
          () => deps.placeOco({ account, ...oco, ...placementContext(resets, command.resume) }),
          (r) => [{ type: 'orderListPlaced', listClientOrderId: r.listClientOrderId, snapshots: r.snapshots }],
          (err) => placementOutcome([command.aboveClientOrderId, command.belowClientOrderId], err),
        );
      }
      case 'cancelOrder': {
        const { clientOrderId, symbol } = command;
        return attempt(
          () => venue.cancelOrder({ account, symbol, clientOrderId }),
          (r) =>
            'missing' in r
              ? [{ type: 'orderMissing', clientOrderId, message: r.message }]
              : [{ type: 'orderUpdate', snapshot: r, source: 'cancel' }],
          (err) => [{ type: 'cancelRejected', clientOrderId, message: failureMessage(err) }],
        );
      }
      case 'reconcile': {
        const lineage =
          state.idBranch !== undefined
            ? {
                branch: state.idBranch,
                ranges: state.idBranches ?? [],
                nextSeq: state.nextOrderSeq,
                scan: command.scan === true,
                ...(command.scanSince !== undefined ? { since: command.scanSince } : {}),
              }
            : undefined;
        return attempt(
          () =>
            venue.reconcile({
              account,
              symbol: state.setup.symbol,
              clientOrderIds: command.clientOrderIds,
              orders: command.orders,
              ownTag: state.clientIdTag,
              ...(lineage ? { lineage } : {}),
            }),
          ({ snapshots, ...rest }) => {
            deps.noteExchange(null);
            // What the exchange holds first, then the reconciliation's verdict on the rest.
            return [
              ...snapshots.map((snapshot) => ({ type: 'orderUpdate', snapshot, source: 'reconcile' }) as const),
              { type: 'reconciled', ...rest },
            ];
          },
          (err) => {
            deps.noteExchange(err);
            return [{ type: 'reconcileFailed', message: failureMessage(err) }];
          },
        );
      }
      case 'fetch': {
        const { requestId, request } = command;
        return attempt(
          () => deps.fetchData({ account, request }),
          (result) => [{ type: 'data', requestId, result }],
          (err) => [{ type: 'dataFailed', requestId, message: failureMessage(err) }],
        );
      }
      case 'notify':
        // Already logged from the state's notifications: no activity.
        return Promise.resolve([]);
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  };
}

/** Only proof finalises an order (workflows/failures.ts): one outcome per order of the request. */
function placementOutcome(clientOrderIds: readonly string[], err: unknown): ResultItem[] {
  const f = placementFailure(err);
  return clientOrderIds.map((clientOrderId): ResultItem => {
    switch (f.kind) {
      case 'rejected':
        return { type: 'orderRejected', clientOrderId, code: f.code, message: f.message };
      case 'collision':
        return { type: 'orderCollision', clientOrderId, message: f.message };
      case 'unknown':
        return { type: 'orderUnknown', clientOrderId, message: f.message };
    }
  });
}
