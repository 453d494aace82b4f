/**
 * ccxt (`ccxt.pro.binance`, 4.5.x) pointed at a paper exchange: the settings a ccxt user needs
 * (README "Using ccxt"): every `urls.api` entry re-hosted (REST, streams, WebSocket API), no
 * currency list (`fetchCurrencies: false`: it is a SAPI wallet endpoint), no margin pairs
 * (`fetchMargins: false`), spot markets only, and the HTTP agent ccxt needs for plain ws:// URLs.
 */
import ccxt from 'ccxt';

export type CcxtBinance = InstanceType<typeof ccxt.pro.binance>;

/** Replace the scheme and host of every URL in ccxt's `urls.api` tree with the exchange's. */
export function rehost(api: Record<string, unknown>, host: string): void {
  for (const [k, v] of Object.entries(api)) {
    if (typeof v === 'string')
      api[k] = v.replace(/^https:\/\/[^/]+/, `http://${host}`).replace(/^wss:\/\/[^/]+/, `ws://${host}`);
    else if (v && typeof v === 'object') rehost(v as Record<string, unknown>, host);
  }
}

export async function ccxtFor(
  ex: { readonly port: number },
  apiKey: string,
  secret: string,
  options: Record<string, unknown> = {},
): Promise<CcxtBinance> {
  const client = new ccxt.pro.binance({
    apiKey,
    secret,
    enableRateLimit: false,
    options: {
      defaultType: 'spot',
      fetchCurrencies: false,
      fetchMargins: false,
      fetchMarkets: { types: ['spot'] },
      ...options,
    },
  });
  rehost(client.urls.api, `127.0.0.1:${ex.port}`);
  await client.loadHttpProxyAgent();
  return client;
}

export type CcxtBinanceUsdm = InstanceType<typeof ccxt.binanceusdm>;

/** ccxt's USDⓈ-M futures exchange (`binanceusdm`, REST) pointed at a paper exchange's futures side. */
export function ccxtFuturesFor(ex: { readonly port: number }, apiKey: string, secret: string): CcxtBinanceUsdm {
  const client = new ccxt.binanceusdm({
    apiKey,
    secret,
    enableRateLimit: false,
    options: { fetchCurrencies: false, fetchMargins: false },
  });
  rehost(client.urls.api, `127.0.0.1:${ex.port}`);
  return client;
}

export { ccxt };
