/**
 * The dashboard's client of the control API: the access token in memory and the refresh token in
 * the tab's sessionStorage (closing the tab logs out), one automatic refresh when the access token
 * expires, and API errors as exceptions carrying the server's `{error, message, problems, fields}`.
 */
const REFRESH_KEY = 'bots.refreshToken';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly string[] = [],
    readonly fields: readonly string[] = [],
  ) {
    super(message);
  }
}

interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onLoggedOut: () => void = () => {};

export function setLoggedOutHandler(fn: () => void): void {
  onLoggedOut = fn;
}

function keep(pair: TokenPair): void {
  accessToken = pair.accessToken;
  sessionStorage.setItem(REFRESH_KEY, pair.refreshToken);
}

export function hasSession(): boolean {
  return accessToken !== null || sessionStorage.getItem(REFRESH_KEY) !== null;
}

async function raw(method: string, path: string, body?: unknown, auth = true): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
  return fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; problems?: string[]; fields?: string[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    /* not JSON */
  }
  return new ApiError(
    res.status,
    body.error ?? `http_${res.status}`,
    body.message ?? res.statusText,
    body.problems ?? [],
    body.fields ?? [],
  );
}

/** Swap the refresh token for a new pair; false when the session is over. */
async function refresh(): Promise<boolean> {
  const token = sessionStorage.getItem(REFRESH_KEY);
  if (!token) return false;
  refreshing ??= (async () => {
    try {
      const res = await raw('POST', '/api/v1/auth/refresh', { refreshToken: token }, false);
      if (!res.ok) {
        sessionStorage.removeItem(REFRESH_KEY);
        accessToken = null;
        return false;
      }
      keep((await res.json()) as TokenPair);
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  if (!accessToken && !(await refresh())) {
    onLoggedOut();
    throw new ApiError(401, 'unauthorized', 'please log in');
  }
  let res = await raw(method, path, body);
  if (res.status === 401) {
    if (await refresh()) res = await raw(method, path, body);
    if (res.status === 401) {
      accessToken = null;
      onLoggedOut();
    }
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export async function login(username: string, password: string): Promise<void> {
  const res = await raw('POST', '/api/v1/auth/login', { username, password }, false);
  if (!res.ok) throw await errorOf(res);
  keep((await res.json()) as TokenPair);
}

export async function logout(): Promise<void> {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  try {
    await raw('POST', '/api/v1/auth/logout', refreshToken ? { refreshToken } : {});
  } finally {
    accessToken = null;
  }
}
