/**
 * The OpenAPI 3.1 document (GET /api/v1/openapi.json), built from the route table: the same zod
 * schemas that validate requests describe them here (zod's JSON Schema output).
 */
import { z } from 'zod';
import type { RouteTable } from './http';

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): unknown[] {
  if (!schema) return [];
  const s = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: p,
  }));
}

export function openApiDocument(routes: RouteTable, info: { readonly version: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes.specs) {
    const path = spec.url.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = {
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.auth === false ? { security: [] } : {}),
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
        : {}),
      responses: {
        ...Object.fromEntries(
          Object.entries(spec.responses).map(([code, description]) => [
            code,
            { description, content: { 'application/json': {} } },
          ]),
        ),
        ...(spec.auth === false
          ? {}
          : { 401: { description: 'no, expired, tampered or revoked access token: {error, message}' } }),
        default: {
          description: 'error: {error, message} (400s name the field: problems, fields)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Durable trading bots: control API',
      version: info.version,
      description:
        'Drive the bots (Temporal workflows) from HTTP. Every action goes through Temporal; the API keeps no bot state. Log in with POST /api/v1/auth/login and send `Authorization: Bearer <accessToken>`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string' },
            message: { type: 'string' },
            problems: { type: 'array', items: { type: 'string' } },
            fields: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    paths,
  };
}
