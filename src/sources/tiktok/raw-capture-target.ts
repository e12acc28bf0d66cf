import type { ConnectedEvent } from '../../domain/events.js';

/** Where the live source hands what it receives for a raw capture (`livetally record`). */
export interface RawCaptureTarget {
  /** The broadcast is known: written first, and again when a reconnect lands in a new one. */
  connected(event: ConnectedEvent): void;
  /** One webcast message: its method name and protobuf bytes, as TikTok sent them. */
  message(at: number, method: string, payload: Uint8Array): void;
}
