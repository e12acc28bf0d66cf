import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/api-types.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** After livetally itself closed the channel (it is stopping), try again after this long. */
const AFTER_SERVER_CLOSE_MS = 500;

/**
 * The realtime channel to the livetally that served this page. It reconnects by itself,
 * quickly, so that an overlay comes back on its own when livetally restarts. With a
 * profile it follows that profile (the `/profile` namespace), else the active profile.
 */
export function connectRealtime(token: string | null, profile: string | null = null): LiveSocket {
  const query: Record<string, string> = {};
  if (token) query['token'] = token;
  if (profile) query['profile'] = profile;
  const options = {
    // Loopback needs no long-polling fallback, and a WebSocket from the start saves the
    // upgrade round trips on every (re)connect.
    transports: ['websocket'],
    query,
    reconnectionDelay: 300,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.3,
  };
  const socket: LiveSocket = profile ? io('/profile', options) : io(options);
  socket.on('disconnect', (reason) => {
    // A stopping livetally closes every socket itself, and socket.io does not retry a
    // socket the server closed; an overlay in OBS must come back when livetally does.
    if (reason === 'io server disconnect') {
      window.setTimeout(() => socket.connect(), AFTER_SERVER_CLOSE_MS);
    }
  });
  return socket;
}

/**
 * The profile a page was opened for (`?profile=NAME`), or null for the active profile.
 * Overlays and the dashboard both take it.
 */
export function followedProfile(search: string): string | null {
  const name = new URLSearchParams(search).get('profile');
  return name ? name : null;
}

/** An API path about the followed profile: `/api/profiles/NAME/<rest>`, else `/api/<rest>`. */
export function profilePath(profile: string | null, rest: string): string {
  return profile ? `/api/profiles/${encodeURIComponent(profile)}/${rest}` : `/api/${rest}`;
}
