/**
 * A signed Binance REST call for the one endpoint binance-api-node does not offer: the current OCO
 * endpoint `POST /api/v3/orderList/oco` (the library only knows the deprecated `/order/oco`, which
 * cannot place a trailing stop without a stop price). Errors are shaped like the library's, so the
 * same classifier applies: `code` is Binance's numeric code for JSON answers, node's string code
 * for network failures, and `response.status` for other HTTP errors.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export interface SignedRequestOptions {
  readonly httpBase: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

export async function signedRequest<T>(
  o: SignedRequestOptions,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string | number>,
): Promise<T> {
  const query = new URLSearchParams(
    Object.entries({ ...params, timestamp: Date.now() }).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const signature = createHmac('sha256', o.apiSecret).update(query).digest('hex');
  const url = new URL(`${o.httpBase}${path}?${query}&signature=${signature}`);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<T>((resolve, reject) => {
    const req = lib.request(url, { method, headers: { 'X-MBX-APIKEY': o.apiKey } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        if (status >= 200 && status < 300 && json !== undefined) return resolve(json as T);
        const e = json as { code?: number; msg?: string } | undefined;
        if (e && typeof e.code === 'number')
          return reject(Object.assign(new Error(e.msg ?? `${status}`), { code: e.code }));
        const headers = { get: (name: string) => (res.headers[name.toLowerCase()] as string | undefined) ?? null };
        reject(
          Object.assign(new Error(`${status} ${res.statusMessage ?? ''} ${body.slice(0, 200)}`), {
            response: { status, headers },
          }),
        );
      });
    });
    req.on('error', reject); // network errors carry node's string code (ECONNRESET, ECONNREFUSED, ...)
    req.end();
  });
}
