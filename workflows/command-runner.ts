/**
 * The kernel's commands run as activities, and their outcomes come back as kernel events
 * (workflows/queue-items.ts). One runner: each command names its activity call, what a result
 * means and what a failure means, read with the SDK's failure classes (workflows/failures.ts).
 *
 * Each call is made synchronously, before the runner's first await, so the activities are
 * scheduled in the order the kernel emitted the commands (the order recorded histories replay).
 */
import type { Activities } from '../activities';
import type { ReconcileResult } from '../activities/market';
import type { SymbolFilters } from '../core/market';
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
        const symbol = state.setup.symbol;
        const reconcile = () =>
          venue.reconcile({
            account,
            symbol,
            clientOrderIds: command.clientOrderIds,
            orders: command.orders,
            ownTag: state.clientIdTag,
            ...(lineage ? { lineage } : {}),
          });
        return attempt(
          // Without filters asked, the very call of histories recorded before (no extra await:
          // their outcome reaches the queue in the same microtask as it did then).
          command.filters ? () => withFilters(venue, account, symbol, reconcile) : reconcile,
          ({ snapshots, filters: known, ...rest }: ReconcileResult & { filters?: SymbolFilters }) => {
            deps.noteExchange(null);
            // What the exchange holds first, then the reconciliation's verdict on the rest.
            return [
              ...snapshots.map((snapshot) => ({ type: 'orderUpdate', snapshot, source: 'reconcile' }) as const),
              { type: 'reconciled', ...rest, ...(known ? { filters: known } : {}) },
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

/** Reconcile and fetch the symbol's filters, both scheduled now (filters first); filters that fail to come are asked again next time. */
async function withFilters(
  venue: VenueActivities,
  account: string,
  symbol: string,
  reconcile: () => Promise<ReconcileResult>,
): Promise<ReconcileResult & { filters?: SymbolFilters }> {
  const filters = venue.getSymbolFilters({ account, symbol }).catch(() => undefined);
  const reconciled = reconcile();
  const result = await reconciled;
  const known = await filters;
  return known ? { ...result, filters: known } : result;
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
