import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * HTTP requests written byte for byte on a TCP socket, so nothing (no client library, no
 * URL parser) normalises the request target before livetally sees it.
 */

export interface RawRequest {
  method: string;
  /** The request target exactly as sent: `/%61pi/stats`, `http://x/api/stats`, … */
  target: string;
  headers?: Record<string, string>;
  /** Sent as is; `Content-Length` is added unless a header says otherwise. */
  body?: string;
  /** Leave `Content-Length` out (for chunked bodies written into `body`). */
  noContentLength?: boolean;
}

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request on its own connection (`Connection: close`); resolves with the answer. */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 10_000) {
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (response: RawResponse) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no answer to ${request.method} ${JSON.stringify(request.target)}`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // A websocket upgrade stays open after its answer: the head is all there is to read.
      const parsed = parse(Buffer.concat(chunks));
      if (parsed.status === 101) finish(parsed);
    });
    socket.on('close', () => finish(parse(Buffer.concat(chunks))));
    socket.on('error', () => undefined); // a reset after the answer is fine; close follows
    const body = request.body ?? '';
    const headers: Record<string, string> = { connection: 'close', ...request.headers };
    if (!request.noContentLength && !hasHeader(headers, 'content-length') && body !== '') {
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`${request.method} ${request.target} HTTP/1.1\r\n${head}\r\n${body}`, 'latin1');
  });
}

/** The headers of a websocket handshake (the path and query are the caller's). */
export function upgradeHeaders(): Record<string, string> {
  return {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
  };
}

/** Runs `tasks` with at most `limit` at a time, results in order. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit = 8): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function parse(data: Buffer): RawResponse {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: text };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: Buffer.from(body, 'latin1').toString('utf8'),
  };
}

function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!size) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
