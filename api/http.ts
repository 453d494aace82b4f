/**
 * HTTP plumbing of the control API: JSON errors `{error, message}` (plus the problems and the
 * fields they name when a request is invalid), zod validation of bodies, queries and path params
 * (the same schemas as the CLI where one exists), and a route table the OpenAPI document is built
 * from, so the document cannot drift from what the server does.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { BotConfigError } from '../core/bot-definition';
import { formatIssues } from '../core/schema';
import { BotCommandError } from '../client/bots';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** "params.takeProfitPct: must be ..." → "params.takeProfitPct"; prefixes like `bot "x": ` are skipped. */
export function fieldsOf(problems: readonly string[]): string[] {
  const fields = new Set<string>();
  for (const p of problems) {
    const parts = p.split(': ');
    // The field is the last "a.b.c" segment before the message (labels such as `request body` or `bot "x" (#1)` come first).
    for (let i = parts.length - 2; i >= 0; i--) {
      const candidate = parts[i]!.trim();
      if (/^[A-Za-z_][\w]*(\.[\w-]+)*$/.test(candidate)) {
        fields.add(candidate);
        break;
      }
    }
  }
  return [...fields];
}

export function invalid(problems: readonly string[], code = 'invalid_request'): HttpError {
  return new HttpError(400, code, problems.join('\n'), { problems, fields: fieldsOf(problems) });
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(formatIssues(parsed.error, where));
  return parsed.data;
}

/** Map what the Temporal client and our client operations throw to HTTP answers. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof BotConfigError) return invalid(err.problems, 'invalid_definition');
  if (err instanceof BotCommandError) {
    const msg = err.message;
    // Our client explains Temporal's errors in words and keeps the original as the cause: a refusal
    // by the update's validator is still a 400 naming the field, Temporal down still a 503.
    const cause = err.cause as { code?: number } | undefined;
    if (cause instanceof WorkflowUpdateFailedError) return toHttpError(cause);
    if (cause instanceof WorkflowNotFoundError) return new HttpError(404, 'not_found', msg);
    if (cause?.code === 4) return new HttpError(504, 'timeout', msg);
    if (cause?.code === 14) return new HttpError(503, 'unavailable', msg);
    if (msg.startsWith('no bot named')) return new HttpError(404, 'not_found', msg);
    if (msg.includes('is not running')) return new HttpError(409, 'not_running', msg);
    // A start that lost the race for a futures position slot (client/position-slot.ts).
    if (msg.includes('is already traded by futures bot'))
      return new HttpError(409, 'futures_position_shared', msg, { field: 'symbol' });
    return new HttpError(400, 'invalid_request', msg);
  }
  if (err instanceof WorkflowNotFoundError) return new HttpError(404, 'not_found', err.message);
  if (err instanceof WorkflowUpdateFailedError) {
    // The update's validator refused (the bot is untouched): its message names the field.
    const cause = (err.cause as { message?: string } | undefined)?.message ?? err.message;
    const problems = cause.split('\n').filter(Boolean);
    return invalid(problems, 'rejected');
  }
  const e = err as { code?: number; details?: string; message?: string };
  // gRPC codes: 4 deadline exceeded, 14 unavailable.
  if (e.code === 4 || /deadline/i.test(e.message ?? ''))
    return new HttpError(504, 'timeout', `Temporal did not answer in time: ${e.details ?? e.message}`);
  if (e.code === 14) return new HttpError(503, 'unavailable', `Temporal is unreachable: ${e.details ?? e.message}`);
  return new HttpError(500, 'internal', (err as Error)?.message ?? String(err));
}

export function installErrorHandler(app: FastifyInstance, log: (m: string) => void): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    let out: HttpError;
    if (error instanceof HttpError) out = error;
    else if (error.statusCode === 429) out = new HttpError(429, 'rate_limited', error.message);
    else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError)
      out = new HttpError(400, 'invalid_json', `the request body is not valid JSON: ${error.message}`);
    else if (error.code?.startsWith('FST_ERR_CTP'))
      out = new HttpError(error.statusCode ?? 400, 'invalid_body', error.message);
    else if (error.statusCode && error.statusCode < 500)
      out = new HttpError(error.statusCode, 'invalid_request', error.message);
    else out = toHttpError(error);
    if (out.statusCode >= 500) log(`${request.method} ${request.url}: ${out.statusCode} ${out.message}`);
    void reply.status(out.statusCode).send({ error: out.code, message: out.message, ...out.extra });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}

// ---- the route table ---------------------------------------------------------------------------

export interface RouteSpec<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  /** Default true: a valid access token is required. */
  readonly auth?: boolean;
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
  /** Status codes and what they mean, for the OpenAPI document. */
  readonly responses: Readonly<Record<number, string>>;
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number };
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export class RouteTable {
  readonly specs: RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly authenticate: (request: FastifyRequest) => Promise<void>,
  ) {}

  add<
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    P extends z.ZodType | undefined = undefined,
  >(spec: RouteSpec<B, Q, P>, handler: (input: RouteInput<Out<B>, Out<Q>, Out<P>>) => Promise<unknown>): void {
    this.specs.push(spec);
    this.app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.rateLimit ? { config: { rateLimit: spec.rateLimit } } : {}),
      handler: async (request, reply) => {
        if (spec.auth !== false) await this.authenticate(request);
        const body = (spec.body ? parseWith(spec.body, request.body ?? {}, 'body') : undefined) as Out<B>;
        const query = (spec.query ? parseWith(spec.query, request.query ?? {}, 'query') : undefined) as Out<Q>;
        const params = (spec.params ? parseWith(spec.params, request.params ?? {}, 'path') : undefined) as Out<P>;
        try {
          return await handler({ body, query, params, request, reply });
        } catch (err) {
          throw toHttpError(err);
        }
      },
    });
  }
}
