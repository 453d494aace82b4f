/**
 * WebSocket API parameters → the REST `Params` the routes read, so `order.place` and
 * `POST /api/v3/order` go through the same parsing, validation and venue call. A JSON value becomes
 * the text a REST client would have sent (numbers as written, booleans as `true`/`false`, the
 * `symbols` array as its JSON); what no REST query could carry (objects, nested arrays, null) is
 * refused with Binance's codes. Signatures are checked over the parameters sorted by name, as
 * Binance documents for the WebSocket API.
 */
import { ApiError, Api, Params, err } from '../http/params';
import { hmacHex, sameHex } from '../http/auth';

/** Parameters of a request frame as REST-style strings; throws ApiError on values no query could hold. */
export function wsParams(raw: Record<string, unknown>): Params {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) out.set(k, wsValue(k, v));
  return new Params(out);
}

function wsValue(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw Api.illegal(name, '^[0-9]{1,20}$');
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) throw Api.mandatory(name);
  // Lists of plain values (symbols, orderIds…) are sent as JSON arrays, as REST takes them.
  if (Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return JSON.stringify(v);
  throw Api.invalidJson(name);
}

/** The text Binance signs for a WebSocket API request: every parameter but `signature`, sorted by name. */
export function wsSignedPayload(params: Params): string {
  return [...params.values.keys()]
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${params.values.get(k) as string}`)
    .join('&');
}

export interface WsAccountLookup {
  byApiKey(apiKey: string): { apiSecret: string; accountId: string } | undefined;
}

/** apiKey + HMAC signature of a signed WebSocket API request → the account; Binance's errors otherwise. */
export function authenticateWs(params: Params, accounts: WsAccountLookup): { accountId: string } {
  const apiKey = params.str('apiKey', { required: true }) as string;
  const signature = params.str('signature', { required: true }) as string;
  const account = accounts.byApiKey(apiKey);
  if (!account) throw new ApiError(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
  if (!sameHex(hmacHex(account.apiSecret, wsSignedPayload(params)), signature))
    throw err(-1022, 'Signature for this request is not valid.');
  return { accountId: account.accountId };
}
