import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../src/shared/api-types.js';
import { cli, DEMO } from '../helpers/cli.js';
import { snapshotDir } from '../helpers/dir-snapshot.js';
import { generateRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, waitFor, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(() => closeAllServers());

async function request(server: TestServer, method: string, url: string, body?: unknown) {
  const response = await server.app.inject({
    method: method as 'GET',
    url,
    headers: { host: server.host },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, json: response.json() as unknown };
}

describe('profiles that cannot be used', () => {
  it('refuses to switch to a damaged profile (422), leaving it untouched', async () => {
    const data = tempDir();
    expect(cli(['--data-dir', data, 'profiles', 'create', 'broken']).code).toBe(0);
    expect(cli(['--data-dir', data, 'replay', '--profile', 'broken', DEMO]).code).toBe(0);
    const file = path.join(data, 'user_configs', 'broken.db');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 39);
    fs.closeSync(fd);
    const before = snapshotDir(data, { folderTimes: false });

    const server = await testServer({ dataDir: data });
    const switched = await request(server, 'POST', '/api/profiles/broken/activate');
    expect(switched.status).toBe(422);
    expect(switched.json).toMatchObject({
      error: { code: 'corrupt_database', message: expect.stringMatching(/broken\.db .* damaged/) },
    });
    expect(((await request(server, 'GET', '/api/stats')).json as StatsResponse).profile).toBe(
      'default',
    );
    await server.close();
    const after = snapshotDir(data, { folderTimes: false });
    for (const name of ['user_configs/broken.db', 'user_configs/broken.db-checked']) {
      expect(after[name]).toBe(before[name]);
    }
    expect(Object.keys(after).filter((k) => k.includes('broken'))).toEqual(
      Object.keys(before).filter((k) => k.includes('broken')),
    );
  });

  it('refuses to switch to a file that lacks the tables its schema version promises', async () => {
    const data = tempDir();
    const server = await testServer({ dataDir: data });
    const file = path.join(data, 'user_configs', 'empty-shell.db');
    const db = new Database(file);
    db.exec('CREATE TABLE x (a)');
    db.pragma('user_version = 2');
    db.close();
    const bytes = fs.readFileSync(file);
    const switched = await request(server, 'POST', '/api/profiles/empty-shell/activate');
    expect(switched.status).toBe(422);
    expect(switched.json).toMatchObject({
      error: {
        code: 'corrupt_database',
        message: expect.stringContaining('its table "stream_stats" is missing'),
      },
    });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('empty-shell'))).toEqual([
      'empty-shell.db',
    ]);
  });

  it('refuses a new profile whose file place holds a folder or a link (409), saying which', async () => {
    const data = tempDir();
    const server = await testServer({ dataDir: data });
    const profiles = path.join(data, 'user_configs');
    fs.mkdirSync(path.join(profiles, 'bad.db'));
    const outside = path.join(tempDir(), 'target.db');
    fs.writeFileSync(outside, 'someone else’s file');
    fs.symlinkSync(outside, path.join(profiles, 'Linked.db'));

    const folder = await request(server, 'POST', '/api/profiles', { name: 'bad' });
    expect(folder.status).toBe(409);
    expect(folder.json).toMatchObject({
      error: {
        code: 'profile_path_taken',
        message: expect.stringContaining(`${path.join(profiles, 'bad.db')} is a folder`),
      },
    });
    const link = await request(server, 'POST', '/api/profiles', { name: 'linked' });
    expect(link.status).toBe(409);
    expect(link.json).toMatchObject({
      error: { code: 'profile_path_taken', message: expect.stringContaining('symbolic link') },
    });
    const list = (await request(server, 'GET', '/api/profiles')).json as {
      profiles: { name: string }[];
    };
    expect(list.profiles.map((p) => p.name)).toEqual(['default']);
    expect(fs.readFileSync(outside, 'utf8')).toBe('someone else’s file');
  });
});

describe('damage found while a profile is open', () => {
  it('stops writing to the file, says so in /api/stats, and refuses to start counting', async () => {
    const replayDir = tempDir();
    generateRecording(replayDir, { seed: 9, durationSec: 120, streamer: 'alice' }, 'alice.ndjson');
    const server = await testServer({ replayDir });
    expect((await request(server, 'POST', '/api/connection', { streamer: 'alice' })).status).toBe(
      200,
    );
    await waitFor(() => server.service.connection.current.state === 'disconnected');
    const file = path.join(server.dataDir, 'user_configs', 'default.db');

    // Everything into the main file, then one page of the per-viewer table overwritten with
    // zeros — as a failing disk would. The server's connections read it from disk next time.
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const page = db
      .prepare(
        "SELECT pageno FROM dbstat WHERE name = 'session_viewers' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 2",
      )
      .pluck()
      .get() as number;
    db.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 4096 * (page - 1));
    fs.closeSync(fd);

    const board = await request(server, 'GET', '/api/leaderboard?metric=likes&limit=100');
    expect(board.status).toBe(422);
    expect(board.json).toMatchObject({ error: { code: 'corrupt_database' } });
    const stats = (await request(server, 'GET', '/api/stats')).json as StatsResponse;
    expect(stats.storage).toMatchObject({ ok: false, error: { code: 'corrupt_database' } });
    const connect = await request(server, 'POST', '/api/connection', { streamer: 'alice' });
    expect(connect.status).toBe(503);
    expect(connect.json).toMatchObject({
      error: { code: 'storage_failing', message: expect.stringContaining('default.db is damaged') },
    });
    const bytes = fs.readFileSync(file);
    await server.close();
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // No clean close vouches for it: the next open checks it in full and refuses it.
    expect(cli(['--data-dir', server.dataDir, 'stats']).code).toBe(1);
  });
});
