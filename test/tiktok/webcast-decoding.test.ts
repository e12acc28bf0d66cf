import { describe, expect, it } from 'vitest';
import type { ProtoMessageFetchResult } from 'tiktok-live-connector';
import { WebcastEvent, WebcastRoomMessage, deserializeMessage } from 'tiktok-live-connector';
import { InvalidEvent } from '../../src/domain/events.js';
import { PayloadBuffer, parseRawLine } from '../../src/sources/tiktok/raw-capture-format.js';
import { WebcastConnection } from '../../src/sources/tiktok/webcast-connection.js';
import { messageLine } from './fixtures/raw-capture-file.js';
import {
  T0,
  ann,
  defaults,
  fetchResultBytes,
  likeMessage,
  type Encoded,
} from './fixtures/webcast-messages.js';

/** A message livetally has no use for (TikTok sends many kinds of them). */
function roomMessage(): Encoded {
  const method = 'WebcastRoomMessage';
  const payload = WebcastRoomMessage.encode(
    defaults(WebcastRoomMessage, { content: 'welcome to the LIVE' }),
  ).finish();
  return { method, payload, msgId: '0' };
}

describe('decoding webcast messages', () => {
  it('has the library decode only the kinds of messages livetally counts, live frames too', () => {
    new WebcastConnection('alice', {});
    const like = likeMessage({ msgId: '11', from: ann, count: 2, total: 0 });
    const batch = deserializeMessage(
      'ProtoMessageFetchResult',
      Buffer.from(fetchResultBytes([roomMessage(), like])),
    ) as ProtoMessageFetchResult;
    expect(batch.messages.map((m) => m.method)).toEqual([
      'WebcastRoomMessage',
      'WebcastLikeMessage',
    ]);
    expect(batch.messages[0]!.decodedData).toBeUndefined();
    expect(batch.messages[1]!.decodedData).toMatchObject({ type: 'WebcastLikeMessage' });
  });

  it('replays a used message, skips an unused one undecoded, and tells unknown and broken ones', async () => {
    const connection = new WebcastConnection('alice', {});
    const seen: string[] = [];
    for (const name of [WebcastEvent.LIKE, WebcastEvent.ROOM_MESSAGE]) {
      connection.on(name, () => seen.push(name));
    }
    const like = likeMessage({ msgId: '12', from: ann, count: 2, total: 0 });
    const room = roomMessage();
    expect(await connection.replayMessage(like.method, like.payload)).toEqual({
      kind: 'dispatched',
    });
    expect(await connection.replayMessage(room.method, room.payload)).toEqual({ kind: 'skipped' });
    expect(await connection.replayMessage('WebcastFutureMessage', like.payload)).toEqual({
      kind: 'unknown',
    });
    expect(await connection.replayMessage('WebcastLikeMessage', Uint8Array.of(0x12))).toMatchObject(
      { kind: 'undecodable' },
    );
    expect(seen).toEqual([WebcastEvent.LIKE]);
  });
});

describe('reading a raw capture line', () => {
  const like = likeMessage({ msgId: '13', from: ann, count: 5, total: 70 });
  const written = messageLine(like, T0);
  const base64 = Buffer.from(like.payload).toString('base64');

  it('reads a line as livetally writes it, and the same message written otherwise, alike', () => {
    const expected = {
      kind: 'message',
      at: T0,
      method: like.method,
      payload: Buffer.from(like.payload),
    };
    expect(parseRawLine(written)).toEqual(expected);
    for (const other of [
      JSON.stringify({ method: like.method, payload: base64, at: T0 }),
      `{ "at": ${T0}, "method": "${like.method}", "payload": "${base64}" }`,
      JSON.stringify({ at: T0, method: like.method, payload: base64, note: 'extra' }),
    ]) {
      expect(parseRawLine(other)).toEqual(expected);
    }
  });

  it('refuses a payload that is not base64, however the line is written', () => {
    const bad = [
      `${base64.slice(0, -4)}@@@@`,
      `${base64.slice(0, 4)} ${base64.slice(4)}`,
      base64.slice(0, -1),
      `${base64.slice(0, 4)}=${base64.slice(5)}`,
      `${base64.slice(0, -2)}\\"`,
    ];
    for (const payload of bad) {
      for (const line of [
        `{"at":${T0},"method":"${like.method}","payload":"${payload}"}`,
        `{"method":"${like.method}","at":${T0},"payload":"${payload}"}`,
      ]) {
        const parsed = parseRawLine(line);
        expect(parsed, line).toBeInstanceOf(InvalidEvent);
      }
    }
  });

  it('decodes payloads into one reused buffer, made larger for a larger payload', () => {
    const payloads = new PayloadBuffer();
    const first = parseRawLine(written, payloads);
    expect(first).toEqual(parseRawLine(written));
    const big = Buffer.alloc(100_000, 7);
    const bigLine = JSON.stringify({
      at: T0,
      method: like.method,
      payload: big.toString('base64'),
    });
    const second = parseRawLine(bigLine, payloads);
    expect(second).toMatchObject({ kind: 'message', payload: big });
    expect(parseRawLine(`{"at":${T0},"method":"X","payload":"QU@D"}`, payloads)).toBeInstanceOf(
      InvalidEvent,
    );
  });

  it('refuses a time out of range on the fast path as on the slow one', () => {
    for (const at of [0, 99_999_999_999_999]) {
      const parsed = parseRawLine(`{"at":${at},"method":"${like.method}","payload":"${base64}"}`);
      expect(parsed).toBeInstanceOf(InvalidEvent);
      expect((parsed as InvalidEvent).error).toMatch(/"at"/);
    }
  });
});
