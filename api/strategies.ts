/**
 * GET /api/v1/strategies: what a bot can run, each with its params as JSON Schema (types,
 * defaults, bounds, which are required), from the same zod schemas that validate a definition,
 * and the definition's own schema. The dashboard builds its "start a bot" form from it.
 */
import { z } from 'zod';
import { botDefinitionSchema } from '../core/bot-definition';
import { STRATEGIES } from '../core/strategies';
import type { RouteTable } from './http';

function schemaOf(schema: z.ZodType): unknown {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

export function strategyList() {
  return Object.values(STRATEGIES)
    .map((s) => ({
      id: s.id,
      title: s.title,
      description: s.description,
      params: schemaOf(s.params as z.ZodType),
      runNow: s.runNowTimer !== undefined,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export function registerStrategyRoutes(routes: RouteTable): void {
  const body = { strategies: strategyList(), definition: schemaOf(botDefinitionSchema) };
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/strategies',
      tag: 'bots',
      summary: 'Strategies with their params (JSON Schema: types, defaults, bounds) and the bot definition schema',
      responses: { 200: '{strategies, definition}' },
    },
    async () => body,
  );
}
