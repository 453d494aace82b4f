/**
 * Atomic state files: write a temporary file, fsync it, rename it over the target, fsync the
 * directory. A crash at any point leaves either the old or the new file, never a torn one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

export function saveAtomic(file: string, content: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

export function loadJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * Saves at most every `debounceMs` after a change, and on flush(). `content(force)` renders the
 * file; `force` asks for everything to be fresh (explicit saves, shutdown).
 */
export class Persister {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  saves = 0;

  constructor(
    private readonly file: string,
    private readonly content: (force: boolean) => string,
    private readonly debounceMs: number,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
    this.timer.unref?.();
  }

  flush(force = false): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    saveAtomic(this.file, this.content(force));
    this.saves++;
  }
}
