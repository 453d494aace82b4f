/**
 * The activities a bot workflow calls, with their retry policies (./activity-options.ts): order
 * activities (each call with its Web UI summary and the order's purpose), reads, data requests,
 * and the exchange calls chosen by the bot's market (./venue-acts.ts). Proxies only: creating
 * them emits no command.
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BotState } from '../core/kernel';
import type { OrderRecord } from '../core/orders';
import {
  DATA_ACTIVITY_OPTIONS,
  ORDER_ACTIVITY_OPTIONS,
  READ_ACTIVITY_OPTIONS,
  withAttemptTimeout,
} from './activity-options';
import { withOrderPurposes } from './circuit';
import { withOrderSummaries } from './details';
import type { RuntimeOptions } from './messages';
import { type VenueActivities, venueActivities } from './venue-acts';

export interface BotActivities {
  readonly orderActs: wf.ActivityInterfaceFor<Activities>;
  readonly readActs: wf.ActivityInterfaceFor<Activities>;
  readonly dataActs: wf.ActivityInterfaceFor<Activities>;
  /** Spot or futures, by the bot's market. */
  readonly venue: VenueActivities;
}

export function botActivities(options: RuntimeOptions, state: () => BotState): BotActivities {
  const orderOf = (id: string): OrderRecord | undefined => state().orders[id];
  // Each order activity carries a one-line summary for the Web UI's event history (./details.ts).
  const orderActs = withOrderPurposes(
    withOrderSummaries(
      wf.proxyActivities<Activities>(withAttemptTimeout(ORDER_ACTIVITY_OPTIONS, options.attemptTimeout)),
      orderOf,
    ),
    orderOf,
  );
  const readActs = wf.proxyActivities<Activities>(withAttemptTimeout(READ_ACTIVITY_OPTIONS, options.attemptTimeout));
  const dataActs = wf.proxyActivities<Activities>(DATA_ACTIVITY_OPTIONS);
  return { orderActs, readActs, dataActs, venue: venueActivities(state, orderActs, readActs) };
}
