/**
 * A WebSocket message as text. ws hands over a Buffer with its default binaryType ('nodebuffer');
 * an ArrayBuffer or a list of fragments only with other binary types: all decode the same way.
 */
import type { RawData } from 'ws';

export function wsText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}
