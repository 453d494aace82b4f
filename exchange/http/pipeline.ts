/**
 * The HTTP request pipeline of the paper exchange, in Binance's order: route → parameters →
 * request weight (429/418) and rate-limit faults → API key, signature, timestamp → the other
 * faults (reset / 5xx before executing, delays with the recvWindow re-check) → order-count limit
 * → execution in the venue → faults after executing (lost or reset answer, -1007) → answer with
 * weight and order-count headers. Every signed request is recorded in the audit.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { VenueEvent } from '../../venue';
import type { AccountRegistry } from '../accounts';
import type { Audit } from '../audit';
import type { Faults } from '../faults';
import type { Json } from '../format';
import { type RateLimitOptions, type RateLimiter, weightKey } from '../ratelimit';
import type { Route } from '../rest';
import { apiKeyErrors, checkTiming, checkWindow, signedPayload, verifySignature } from './auth';
import { ApiError, Params, PartialExecutionError } from './params';

export interface PipelineDeps {
  readonly routes: ReadonlyMap<string, Route>;
  readonly registry: AccountRegistry;
  readonly limiter: RateLimiter;
  readonly limits: RateLimitOptions;
  readonly faults: Faults;
  readonly audit: Audit;
  /** Wall clock: timestamps, rate limits, audit. */
  readonly now: () => number;
  /** Clock of venue operations (the replayed data's in replay mode). */
  readonly venueNow: () => number;
  readonly dispatch: (events: readonly VenueEvent[]) => void;
  readonly backendTimeoutMs: number;
  readonly log: boolean;
  /** /admin/* requests: the guard (token, Host, Origin) and the admin routes. */
  readonly admin: (
    req: http.IncomingMessage,
    path: string,
    query: string,
    body: string,
  ) => Promise<{ status: number; body: Json }>;
}

export const CLIENT_ID_PARAMS = [
  'newClientOrderId',
  'origClientOrderId',
  'clientAlgoId',
  'listClientOrderId',
  'limitClientOrderId',
  'stopClientOrderId',
  'aboveClientOrderId',
  'belowClientOrderId',
];
const UNKNOWN_MSG = 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.';

export class RequestPipeline {
  /** Sockets of lost answers, held open until the client gives up or the exchange closes. */
  private readonly heldSockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly d: PipelineDeps) {}

  /** Destroy held sockets and pending delayed answers (exchange shutdown). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.heldSockets) s.destroy();
  }

  private readonly later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  };

  private readonly sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => this.later(ms, resolve));

  private readonly writeJson = (
    res: http.ServerResponse,
    ip: string,
    status: number,
    body: Json | string,
    headers: Record<string, string> = {},
  ): void => {
    if (res.destroyed || res.headersSent) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' && body.startsWith('<') ? 'text/html' : 'application/json;charset=UTF-8',
      'X-MBX-USED-WEIGHT-1M': String(this.d.limiter.usedWeight(ip)),
      ...headers,
    });
    res.end(text);
  };

  async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const { routes, registry, limiter, limits, faults, audit, now, venueNow, dispatch, backendTimeoutMs } = this.d;
    const writeJson = this.writeJson;
    const later = this.later;
    const sleep = this.sleep;
    const heldSockets = this.heldSockets;
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = qi < 0 ? '' : url.slice(qi + 1);
    // Weight is counted per IP, USDⓈ-M (/fapi) apart from spot, as Binance does.
    const ip = weightKey(req.socket.remoteAddress ?? 'unknown', path);
    if (path === '/admin' || path.startsWith('/admin/')) {
      const r = await this.d.admin(req, path, query, body);
      writeJson(res, ip, r.status, r.body);
      return;
    }
    if (faults.isFrozen()) await faults.whenThawed();
    const endpoint = `${req.method ?? 'GET'} ${path}`;
    const route = routes.get(endpoint);
    if (!route) {
      writeJson(res, ip, 404, { code: -1000, msg: `Unknown endpoint ${endpoint}.` });
      return;
    }
    let accountId: string | undefined;
    let clientIds: string[] = [];
    let symbol: string | undefined;
    const auditable = route.signed;
    const record = (outcome: string, httpStatus: number, code: number | null, executed: boolean) => {
      if (auditable)
        audit.recordRequest({
          time: now(),
          endpoint,
          accountId: accountId ?? null,
          symbol: symbol ?? null,
          clientIds,
          outcome,
          httpStatus,
          code,
          executed,
        });
      if (this.d.log)
        console.error(
          `[paper-exchange] ${endpoint} ${clientIds.join(',')} → ${outcome} ${httpStatus}${code !== null ? ` ${code}` : ''}`,
        );
    };
    try {
      const params = Params.parse(query, body);
      clientIds = CLIENT_ID_PARAMS.map((p) => params.values.get(p)).filter(
        (v): v is string => v !== undefined && v !== '',
      );
      symbol = params.values.get('symbol');
      const verdict = limiter.request(ip, route.weight(params));
      if (!verdict.ok)
        throw new ApiError(verdict.code, verdict.msg, verdict.status, { 'Retry-After': String(verdict.retryAfterSec) });
      const limited = faults.planHttp(endpoint, clientIds, symbol, undefined, 'pre-auth').disposition;
      if (limited) {
        const status = limited.rule.status === 418 ? 418 : 429;
        const msg =
          status === 418
            ? `Way too much request weight used; IP banned until ${now() + (limited.rule.retryAfterSec ?? 60) * 1000}. Please use WebSocket Streams for live updates to avoid bans.`
            : `Too much request weight used; current limit is ${limits.requestWeightPerMinute} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`;
        throw new ApiError(-1003, msg, status, { 'Retry-After': String(limited.rule.retryAfterSec ?? 1) });
      }
      let timing: { timestamp: number; recvWindow: number } | undefined;
      if (route.signed) {
        const key = req.headers['x-mbx-apikey'];
        const keyErrors = apiKeyErrors();
        if (typeof key !== 'string' || key === '') throw keyErrors.missing();
        const entry = registry.get(key);
        if (!entry) throw keyErrors.invalid();
        accountId = entry.name;
        const { payload, signature } = signedPayload(query, body);
        verifySignature(entry.apiSecret, payload, signature);
        timing = checkTiming(params, now());
      } else if (route.apiKey) {
        const key = req.headers['x-mbx-apikey'];
        const entry = typeof key === 'string' && key !== '' ? registry.get(key) : undefined;
        if (!entry) throw typeof key === 'string' && key !== '' ? apiKeyErrors().invalid() : apiKeyErrors().missing();
        accountId = entry.name;
      }

      const plan = faults.planHttp(endpoint, clientIds, symbol, accountId);
      const d = plan.disposition;
      if (d?.rule.kind === 'reset-before-execute') {
        record('reset-before-execute', 0, null, false);
        req.socket.destroy();
        return;
      }
      if (d?.rule.kind === 'fail-before-executing') {
        const status = d.rule.status ?? 502;
        record('fail-before-executing', status, d.rule.body === 'json' ? (d.rule.code ?? -1001) : null, false);
        if (d.rule.body === 'json')
          writeJson(res, ip, status, {
            code: d.rule.code ?? -1001,
            msg: 'Internal error; unable to process your request. Please try again.',
          });
        else
          writeJson(
            res,
            ip,
            status,
            `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center></body></html>`,
          );
        return;
      }
      if (plan.delay && plan.delay.rule.phase !== 'after') {
        await sleep(plan.delay.rule.ms ?? 1000);
        // Binance re-checks the window before the matching engine: a late request is refused.
        if (timing) checkWindow(timing.timestamp, timing.recvWindow, now());
      }
      const orderHeaders: Record<string, string> = {};
      if (route.placesOrders && accountId !== undefined) {
        const o = limiter.order(accountId);
        if (!o.ok) throw new ApiError(-1015, o.msg, 429, { 'Retry-After': String(o.retryAfterSec) });
        orderHeaders['X-MBX-ORDER-COUNT-10S'] = String(o.count10s);
        orderHeaders['X-MBX-ORDER-COUNT-1D'] = String(o.count1d);
      }

      const settle = (r: { events?: readonly VenueEvent[]; createdOrderIds?: readonly number[] }) => {
        if (r.events) dispatch(r.events);
        if (plan.hide && r.createdOrderIds)
          for (const id of r.createdOrderIds) faults.hideOrder(id, plan.hide.rule.ms ?? 2000);
      };
      const execute = () => {
        let result;
        try {
          result = route.handler({ params, accountId, time: venueNow() });
        } catch (e) {
          // A partly failed cancel-replace still changed state: its events go out.
          if (e instanceof PartialExecutionError) settle(e);
          throw e;
        }
        settle(result);
        return result;
      };

      if (d?.rule.kind === 'unknown-while-executing') {
        const delay = d.rule.executeDelayMs ?? 0;
        const run = () => {
          try {
            const r = execute();
            record('unknown-while-executing', d.rule.status ?? 503, -1007, r.executed ?? false);
          } catch (e) {
            record('unknown-while-executing', d.rule.status ?? 503, e instanceof ApiError ? e.code : -1000, false);
          }
        };
        if (delay > 0) later(delay, run);
        else run();
        later(d.rule.afterMs ?? backendTimeoutMs, () =>
          writeJson(res, ip, d.rule.status ?? 503, { code: -1007, msg: UNKNOWN_MSG }),
        );
        return;
      }

      let result;
      let failure: ApiError | undefined;
      try {
        result = execute();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        failure = e;
      }
      if (d?.rule.kind === 'lose-response') {
        record('lose-response', 0, failure?.code ?? null, result?.executed ?? false);
        heldSockets.add(req.socket);
        req.socket.once('close', () => heldSockets.delete(req.socket));
        if (d.rule.afterMs !== undefined) later(d.rule.afterMs, () => req.socket.destroy());
        return;
      }
      if (d?.rule.kind === 'reset-after-execute') {
        record('reset-after-execute', 0, failure?.code ?? null, result?.executed ?? false);
        req.socket.destroy();
        return;
      }
      if (plan.delay && plan.delay.rule.phase === 'after') await sleep(plan.delay.rule.ms ?? 1000);
      if (failure) throw failure;
      record('ok', 200, null, result?.executed ?? false);
      writeJson(res, ip, 200, (result as { body: Json }).body, orderHeaders);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      record(e.status === 429 || e.status === 418 ? 'rate-limit' : 'rejected', e.status, e.code, false);
      writeJson(
        res,
        ip,
        e.status,
        e.data !== undefined
          ? { code: e.code, msg: e.message, data: e.data as Json }
          : { code: e.code, msg: e.message },
        { ...e.headers },
      );
    }
  }
}
