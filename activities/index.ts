/**
 * All activities of a worker, built with their dependencies (accounts and their credentials come
 * from the worker's environment; nothing secret is ever an activity argument).
 */
import { createAccountActivities } from './account';
import { type MarketActivityDeps, createMarketActivities } from './market';
import { type NotifyActivityDeps, createNotifyActivities } from './notify';
import { type OrderActivityDeps, createOrderActivities } from './orders';
import { createPreflightActivities } from './preflight';
import { createFuturesOrderActivities } from './futures-orders';
import { createFuturesAccountActivities } from './futures-account';

export type ActivityDeps = OrderActivityDeps & MarketActivityDeps & NotifyActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderActivities(deps),
    ...createMarketActivities(deps),
    ...createAccountActivities(deps),
    ...createNotifyActivities(deps),
    ...createPreflightActivities(deps),
    ...createFuturesOrderActivities(deps),
    ...createFuturesAccountActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
