/**
 * A WebSocket that reconnects with backoff and notices silence: binance-api-node's sockets
 * reconnect too, but expose no reconnect event and no staleness watchdog, and reconciliation needs
 * both (Binance does not replay what was missed while the connection was down).
 */
import WebSocket from 'ws';
import { wsText } from '../../infra/ws-text';

export interface SocketHandlers {
  onOpen(socket: WebSocket, opens: number): void;
  onMessage(data: unknown): void;
  onClose?(reason: string): void;
}

export interface ReconnectingSocketOptions {
  /** Reconnect when nothing arrived for this long (the server pings every 20 s; streams tick more often). */
  readonly staleAfterMs: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /**
   * Called before every connect for the URL to open (a futures user stream asks for its listenKey
   * here: a reconnect after the key expired needs a new one). A rejection counts as a failed
   * connect: reported through onClose and retried with the backoff.
   */
  readonly resolveUrl?: () => Promise<string>;
}

export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private opens = 0;
  private closed = false;
  private backoff: number;
  private lastActivity = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private url: string,
    private readonly handlers: SocketHandlers,
    private readonly options: ReconnectingSocketOptions,
  ) {
    this.backoff = options.minBackoffMs ?? 250;
    this.connect();
    this.watchdog = setInterval(() => this.checkStale(), Math.max(250, Math.floor(options.staleAfterMs / 4)));
    this.watchdog.unref();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(data: unknown): void {
    if (this.connected) this.socket!.send(JSON.stringify(data));
  }

  /** Point the socket at a new URL (e.g. a new set of combined streams). */
  retarget(url: string): void {
    if (url === this.url) return;
    this.url = url;
    this.socket?.terminate();
  }

  /** Drop the connection now and reconnect (with `resolveUrl`, to a freshly resolved URL). */
  restart(): void {
    this.socket?.terminate();
  }

  close(): void {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.terminate();
  }

  private connect(): void {
    if (this.closed) return;
    const resolve = this.options.resolveUrl;
    if (!resolve) return this.open(this.url);
    resolve().then(
      (url) => {
        this.url = url;
        this.open(url);
      },
      (err: unknown) => {
        if (this.closed) return;
        this.handlers.onClose?.(`not connected: ${(err as Error).message}`);
        this.scheduleReconnect();
      },
    );
  }

  private open(url: string): void {
    if (this.closed) return;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.lastActivity = Date.now();
    socket.on('open', () => {
      this.backoff = this.options.minBackoffMs ?? 250;
      this.lastActivity = Date.now();
      this.opens += 1;
      this.handlers.onOpen(socket, this.opens);
    });
    socket.on('message', (raw) => {
      this.lastActivity = Date.now();
      let data: unknown;
      try {
        data = JSON.parse(wsText(raw));
      } catch {
        return;
      }
      this.handlers.onMessage(data);
    });
    socket.on('ping', () => {
      this.lastActivity = Date.now();
    });
    socket.on('error', () => {
      /* 'close' follows and schedules the reconnect */
    });
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.handlers.onClose?.(`closed (${code})`);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.options.maxBackoffMs ?? 5_000, this.backoff * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private checkStale(): void {
    if (this.closed || !this.socket) return;
    if (Date.now() - this.lastActivity > this.options.staleAfterMs) {
      this.handlers.onClose?.('stale');
      this.socket.terminate();
    }
  }
}
