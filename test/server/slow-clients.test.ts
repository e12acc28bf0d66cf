import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StatsView } from '../../src/shared/api-types.js';
import { generateRecording } from '../helpers/recordings.js';
import { closeAllServers, socketTo, testServer, waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { rawRequest } from './raw-http.js';

/**
 * DESIGN: a client that falls behind is dropped rather than buffered without bound. Real
 * clients that stop reading, beside one that reads, while a replay pushes stats and activity.
 */

afterEach(closeAllServers);

const HEARTBEAT_MS = 1000;

async function busyServer() {
  const replayDir = tempDir();
  generateRecording(replayDir, { seed: 51, durationSec: 120, streamer: 'alice' }, 'alice.ndjson');
  // 4× real time: a push every 100 ms for half a minute.
  const server = await testServer({ replayDir, speed: 4, realtime: { heartbeatMs: HEARTBEAT_MS } });
  const url = await server.listen();
  return { server, url };
}

/** A socket.io client over a raw websocket that joins, then never reads again. */
function stalledWebsocket(url: string) {
  return new Promise<{ ws: WebSocket; sid: string }>((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    let sid = '';
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0{')) {
        sid = (JSON.parse(text.slice(1)) as { sid: string }).sid;
        ws.send('40'); // join the main namespace
      } else if (text.startsWith('40')) {
        (ws as unknown as { _socket: net.Socket })._socket.pause();
        resolve({ ws, sid });
      }
    });
  });
}

function connectionOf(server: Awaited<ReturnType<typeof busyServer>>['server'], sid: string) {
  const socket = [...server.realtime.io.sockets.sockets.values()].find(
    (s) => (s.conn as unknown as { id: string }).id === sid,
  );
  if (!socket) throw new Error(`no socket ${sid}`);
  return socket.conn as unknown as {
    readyState: string;
    transport: { socket: { _socket: net.Socket } };
  };
}

describe('slow realtime clients', () => {
  it('drops a websocket client that stops reading, and cuts its connection at once; a reading client keeps receiving', async () => {
    const { server, url } = await busyServer();
    const reading = socketTo(url);
    const stats: StatsView[] = [];
    reading.on('stats', (view) => stats.push(view));
    await waitFor(() => reading.connected);
    const stalled = await stalledWebsocket(url);
    await waitFor(() => server.realtime.clients === 2);
    const conn = connectionOf(server, stalled.sid);
    const tcp = conn.transport.socket._socket;

    await server.service.connect('alice');
    const started = Date.now();
    await waitFor(() => server.realtime.clients === 1, 10 * HEARTBEAT_MS);
    const droppedAfterMs = Date.now() - started;
    expect(conn.readyState).toBe('closed');
    // Cut, not left in a closing handshake the client will never answer.
    await waitFor(() => tcp.destroyed, 1000);
    expect(droppedAfterMs).toBeLessThan(10 * HEARTBEAT_MS);

    const seen = stats.length;
    await waitFor(() => stats.length >= seen + 3);
    expect(reading.connected).toBe(true);
    expect(stats.at(-1)!.stats.likes).toBeGreaterThan(0);
    reading.close();
    stalled.ws.terminate();
  });

  it('drops a polling client that stops polling; a reading client keeps receiving', async () => {
    const { server, url } = await busyServer();
    const reading = socketTo(url);
    const stats: StatsView[] = [];
    reading.on('stats', (view) => stats.push(view));
    await waitFor(() => reading.connected);
    const port = Number(new URL(url).port);
    const headers = { host: server.host };
    const open = await rawRequest(port, {
      method: 'GET',
      target: '/socket.io/?EIO=4&transport=polling',
      headers,
    });
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    const join = await rawRequest(port, {
      method: 'POST',
      target: `/socket.io/?EIO=4&transport=polling&sid=${sid}`,
      headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
      body: '40',
    });
    expect(join.status).toBe(200);
    await waitFor(() => server.realtime.clients === 2);
    // It never polls again.
    await server.service.connect('alice');
    await waitFor(() => server.realtime.clients === 1, 10 * HEARTBEAT_MS);
    const seen = stats.length;
    await waitFor(() => stats.length >= seen + 3);
    expect(reading.connected).toBe(true);
    reading.close();
  });

  it('stops at once with a client that is not reading, which still sees the connection end', async () => {
    const { server, url } = await busyServer();
    const stalled = await stalledWebsocket(url);
    await waitFor(() => server.realtime.clients === 1);
    await server.service.connect('alice');
    await new Promise((resolve) => setTimeout(resolve, 300)); // pushes pile up for it
    const started = Date.now();
    await server.close();
    // Not the websocket closing handshake's 30 s for a peer that never answers.
    expect(Date.now() - started).toBeLessThan(5000);
    const ended = new Promise((resolve) => stalled.ws.once('close', resolve));
    (stalled.ws as unknown as { _socket: net.Socket })._socket.resume();
    await ended;
  });
});
