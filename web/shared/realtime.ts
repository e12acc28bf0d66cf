import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/api-types.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** After livetally itself closed the channel (it is stopping), try again after this long. */
const AFTER_SERVER_CLOSE_MS = 500;

/**
 * The realtime channel to the livetally that served this page. It reconnects by itself,
 * quickly, so that an overlay comes back on its own when livetally restarts.
 */
export function connectRealtime(token: string | null): LiveSocket {
  const socket: LiveSocket = io({
    // Loopback needs no long-polling fallback, and a WebSocket from the start saves the
    // upgrade round trips on every (re)connect.
    transports: ['websocket'],
    query: token ? { token } : {},
    reconnectionDelay: 300,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.3,
  });
  socket.on('disconnect', (reason) => {
    // A stopping livetally closes every socket itself, and socket.io does not retry a
    // socket the server closed; an overlay in OBS must come back when livetally does.
    if (reason === 'io server disconnect') {
      window.setTimeout(() => socket.connect(), AFTER_SERVER_CLOSE_MS);
    }
  });
  return socket;
}
