/** Signed-request checks as Binance does them: API key, HMAC-SHA256 signature, timestamp + recvWindow. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError, Api, err, type Params } from './params';

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/**
 * The signed payload: query string then body, concatenated, with the `signature` parameter taken
 * out. Binance signs the raw text exactly as sent, so we never re-serialise.
 */
export function signedPayload(query: string, body: string): { payload: string; signature: string | undefined } {
  let signature: string | undefined;
  const strip = (s: string): string =>
    s
      .split('&')
      .filter((part) => {
        if (part.startsWith('signature=')) {
          signature = decodeURIComponent(part.slice('signature='.length));
          return false;
        }
        return true;
      })
      .join('&');
  const q = query ? strip(query) : '';
  const b = body ? strip(body) : '';
  return { payload: q + b, signature };
}

export function verifySignature(secret: string, payload: string, signature: string | undefined): void {
  if (signature === undefined || signature === '') throw Api.mandatory('signature');
  if (!sameHex(hmacHex(secret, payload), signature)) throw err(-1022, 'Signature for this request is not valid.');
}

/**
 * Constant-time comparison of an expected lower-case hex digest with what a client sent (HMAC
 * signatures are case-insensitive). Compares bytes, so a same-length string of multi-byte
 * characters is a mismatch, not an exception.
 */
export function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Timestamp and recvWindow rules (rest-api.md "Timing security"); returns the request's timestamp in ms. */
export function checkTiming(params: Params, serverTime: number): { timestamp: number; recvWindow: number } {
  const tsRaw = params.str('timestamp', { required: true }) as string;
  if (!/^[0-9]{1,20}$/.test(tsRaw)) throw Api.illegal('timestamp', '^[0-9]{1,20}$');
  let timestamp = Number(tsRaw);
  // Microsecond timestamps are accepted too.
  if (timestamp > 1e14) timestamp = Math.floor(timestamp / 1000);
  const rwRaw = params.str('recvWindow');
  let recvWindow = 5000;
  if (rwRaw !== undefined) {
    if (!/^[0-9]{1,20}(\.[0-9]{1,3})?$/.test(rwRaw)) throw Api.illegal('recvWindow', '^[0-9]{1,20}(\\.[0-9]{1,3})?$');
    recvWindow = Number(rwRaw);
    if (recvWindow > 60000) throw err(-1131, 'recvWindow must be less than 60000');
  }
  checkWindow(timestamp, recvWindow, serverTime);
  return { timestamp, recvWindow };
}

export function checkWindow(timestamp: number, recvWindow: number, serverTime: number): void {
  if (timestamp >= serverTime + 1000)
    throw err(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (serverTime - timestamp > recvWindow) throw err(-1021, 'Timestamp for this request is outside of the recvWindow.');
}

export function apiKeyErrors() {
  return {
    missing: () => new ApiError(-2014, 'API-key format invalid.', 401),
    invalid: () => new ApiError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  };
}
