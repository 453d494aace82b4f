/**
 * All activities of a worker, built with their dependencies (accounts and their credentials come
 * from the worker's environment; nothing secret is ever an activity argument).
 */
import { createAccountActivities } from './account';
import { type MarketActivityDeps, createMarketActivities } from './market';
import { type OrderActivityDeps, createOrderActivities } from './orders';
import { createPreflightActivities } from './preflight';

export type ActivityDeps = OrderActivityDeps & MarketActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderActivities(deps),
    ...createMarketActivities(deps),
    ...createAccountActivities(deps),
    ...createPreflightActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
