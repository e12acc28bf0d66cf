import type { Server, Socket } from 'socket.io';
import type { Logger } from '../app/logger.js';

/**
 * DESIGN: "A client that falls behind is dropped rather than buffered without bound."
 *
 * What a client has not taken yet sits in three places:
 * - engine.io's queue (`writeBuffer`): packets not yet handed to the transport. A polling
 *   client that stops polling piles them up here, and so does a websocket client: engine.io
 *   hands the websocket one batch and queues the rest until the socket has written it.
 * - the websocket's send buffer: at most that one batch.
 * - the kernel's socket buffers. On loopback they take about 4 MB per connection before
 *   either of the above grows; at the few KB a second an overlay receives that is many
 *   minutes. So a client that simply stops reading is found by the heartbeat: the server
 *   pings every `heartbeatMs` and the client must answer within `heartbeatMs`. TCP keeps
 *   order, so an answer means it has read everything sent before the ping.
 *
 * A dropped client is cut at once: no flushing what it could not take anyway, and no
 * websocket closing handshake, which waits up to 30 s for a client that is not reading.
 */

type Connection = Socket['conn'];

/** Fields engine.io and ws have in JavaScript but not in their type declarations. */
interface Internals {
  writeBuffer: unknown[];
  transport: { name: string; socket?: { terminate?: () => void } };
}

const internals = (conn: Connection) => conn as unknown as Internals;

function websocketOf(conn: Connection) {
  const { transport } = internals(conn);
  return transport.name === 'websocket' ? transport.socket : undefined;
}

/** Why `conn` is too far behind to keep (more than `maxPackets` queued), or undefined. */
export function behind(conn: Connection, maxPackets: number): string | undefined {
  const packets = internals(conn).writeBuffer.length;
  return packets > maxPackets ? `${packets} messages behind` : undefined;
}

/** Drops `conn` now, without flushing and without a closing handshake. */
export function cut(conn: Connection): void {
  const websocket = websocketOf(conn);
  conn.close(true);
  websocket?.terminate?.();
}

/**
 * Cuts every connection, as when stopping: a client that is not reading would otherwise hold
 * the HTTP server open for the closing handshake's 30 s. Pages see the connection end and
 * reconnect when livetally is back.
 */
export function cutAll(io: Server): void {
  const { clients } = io.engine as unknown as { clients: Record<string, Connection> };
  for (const conn of Object.values(clients)) cut(conn);
}

/** A client that leaves the heartbeat unanswered is cut at once, and the log says why. */
export function cutOnMissedHeartbeat(conn: Connection, logger: Logger): void {
  // Kept from before the close: engine.io lets go of the transport when it closes.
  let websocket = websocketOf(conn);
  conn.on('upgrade', () => (websocket = websocketOf(conn)));
  conn.once('close', (reason: string) => {
    if (reason !== 'ping timeout') return;
    logger.info('dropping a realtime client that stopped reading (no answer to the heartbeat)');
    websocket?.terminate?.();
  });
}
