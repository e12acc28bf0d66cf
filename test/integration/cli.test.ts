import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RecordingGenerator,
  recordingLines,
} from '../../src/sources/replay/recording-generator.js';
import { cli, cliJson, DEMO } from '../helpers/cli.js';
import { connected, like, share } from '../helpers/events.js';
import { generateRecording, writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The demo is the generator's output for the parameters scripts/generate-recording.js uses. */
function demoTruth() {
  const generator = new RecordingGenerator({ seed: 2026, durationSec: 240 });
  const lines = [...recordingLines(generator)].join('');
  expect(lines).toBe(fs.readFileSync(DEMO, 'utf8'));
  return generator.truth;
}

interface StatsJson {
  profile: string;
  streamer: string | null;
  roomId: string | null;
  updatedAt: string | null;
  stats: Record<string, number> | null;
}

describe('the command line', () => {
  it('replays the bundled demo into the default profile and keeps the numbers the recording makes', () => {
    const data = tempDir();
    const replay = cli(['--data-dir', data, 'replay', DEMO]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/Replayed [\d,]+ events into profile "default"/);
    const stats = cliJson<StatsJson>(['--data-dir', data, 'stats']);
    expect(stats).toMatchObject({ profile: 'default', streamer: 'demo_streamer' });
    expect(stats.stats).toEqual(demoTruth().stats);
    expect(Date.parse(stats.updatedAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(data)).toBe(0o700);
    expect(mode(path.join(data, 'user_configs'))).toBe(0o700);
    expect(mode(path.join(data, 'user_configs', 'default.db'))).toBe(0o600);
  });

  it('prints one JSON document and nothing else with --json', () => {
    const data = tempDir();
    const { file, truth } = generateRecording(tempDir(), { seed: 8, durationSec: 30 });
    const result = cli(['--data-dir', data, 'replay', file, '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { stats: unknown; events: number };
    expect(doc.stats).toEqual(truth.stats);
    expect(doc.events).toBe(truth.events);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('reads LIVETALLY_DATA_DIR when --data-dir is not given', () => {
    const data = tempDir();
    const file = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 12 })]);
    expect(cli(['replay', file], { LIVETALLY_DATA_DIR: data }).code).toBe(0);
    expect(cliJson<StatsJson>(['stats'], { LIVETALLY_DATA_DIR: data }).stats?.likes).toBe(12);
  });

  it('reports bad lines with their line number, skips them, and counts the rest', () => {
    const data = tempDir();
    const file = path.join(tempDir(), 'bad.ndjson');
    fs.writeFileSync(
      file,
      [
        JSON.stringify(connected()),
        JSON.stringify(like({ count: 5 })),
        '{"type":"like", oops',
        JSON.stringify({ ...like({ count: 1 }), count: -3 }),
        '',
        JSON.stringify({ type: 'subscribe', at: 1 }),
        JSON.stringify(share()),
      ].join('\n'),
    );
    const result = cli(['--data-dir', data, 'replay', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('line 3 skipped: not valid JSON');
    expect(result.stderr).toContain('line 4 skipped: like.count');
    expect(result.stderr).toContain('line 6 skipped: unknown event type "subscribe"');
    expect(result.stdout).toContain('3 bad lines skipped');
    expect(cliJson<StatsJson>(['--data-dir', data, 'stats']).stats).toMatchObject({
      likes: 5,
      shares: 1,
    });
  });

  it('refuses a recording that does not start with a connected line, changing nothing', () => {
    const data = tempDir();
    const file = writeRecording(tempDir(), 'r.ndjson', [like({ count: 1 })]);
    const result = cli(['--data-dir', data, 'replay', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^livetally: r\.ndjson line 1: a recording starts with a "connected" line/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(cliJson<StatsJson>(['--data-dir', data, 'stats']).stats).toBeNull();
  });

  it('fails with exit 1 and one line for a missing file', () => {
    const result = cli(['--data-dir', tempDir(), 'replay', '/nonexistent/x.ndjson']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^livetally: cannot read recording .*ENOENT/);
  });

  it.each([
    [['replay'], /missing required argument 'file'/],
    [['replay', 'x', '--speed', 'fast'], /--speed/],
    [['unknown-command'], /unknown command/],
    [['stats', '--nope'], /unknown option/],
    [['replay', 'x', '--save-interval', 'soon'], /--save-interval "soon" is not a duration/],
  ])('exits 2 for bad usage: %j', (args, message) => {
    const result = cli(['--data-dir', tempDir(), ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('resets the stats of a profile', () => {
    const data = tempDir();
    const file = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 12 })]);
    cli(['--data-dir', data, 'replay', file]);
    const reset = cli(['--data-dir', data, 'reset']);
    expect(reset.code).toBe(0);
    expect(cliJson<StatsJson>(['--data-dir', data, 'stats']).stats?.likes).toBe(0);
    const sessions = cliJson<{ sessions: { stats: { likes: number } }[] }>([
      '--data-dir',
      data,
      'sessions',
    ]);
    expect(sessions.sessions.map((s) => s.stats.likes)).toEqual([12]); // history stays
  });

  it('manages profiles: create, list, use, delete — with the rules enforced', () => {
    const data = tempDir();
    const dir = ['--data-dir', data];
    expect(
      cliJson<{ active: string; profiles: { name: string }[] }>([...dir, 'profiles', 'list']),
    ).toMatchObject({
      active: 'default',
      profiles: [{ name: 'default', active: true }],
    });
    expect(cli([...dir, 'profiles', 'create', 'Gaming']).code).toBe(0);
    const dup = cli([...dir, 'profiles', 'create', 'gaming']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('a profile named "Gaming" already exists');
    const bad = cli([...dir, 'profiles', 'create', '../evil']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("letters, digits, '.', '_' and '-'");
    expect(fs.existsSync(path.join(data, 'evil.db'))).toBe(false);

    expect(cli([...dir, 'profiles', 'use', 'gaming']).stdout).toContain('"Gaming"');
    const file = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 3 })]);
    cli([...dir, 'replay', file]);
    expect(cliJson<StatsJson>([...dir, 'stats'])).toMatchObject({
      profile: 'Gaming',
      stats: { likes: 3 },
    });
    expect(cliJson<StatsJson>([...dir, 'stats', '--profile', 'default']).stats).toBeNull();

    const active = cli([...dir, 'profiles', 'delete', 'Gaming']);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain('"Gaming" is the active profile');
    cli([...dir, 'profiles', 'use', 'default']);
    fs.writeFileSync(path.join(data, 'user_configs', 'Gaming.db-wal'), '');
    expect(cli([...dir, 'profiles', 'delete', 'gaming']).code).toBe(0);
    expect(
      fs.readdirSync(path.join(data, 'user_configs')).filter((f) => f.startsWith('Gaming')),
    ).toEqual([]);
    const missing = cli([...dir, 'stats', '--profile', 'Gaming']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no profile named "Gaming"');
  });

  it('treats a database copied into user_configs as a profile, with its data', () => {
    const data = tempDir();
    const file = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 21 })]);
    const other = tempDir();
    cli(['--data-dir', other, 'replay', file]);
    fs.mkdirSync(path.join(data, 'user_configs'), { recursive: true });
    fs.copyFileSync(
      path.join(other, 'user_configs', 'default.db'),
      path.join(data, 'user_configs', 'copied.db'),
    );
    const list = cliJson<{ profiles: { name: string }[] }>([
      '--data-dir',
      data,
      'profiles',
      'list',
    ]);
    expect(list.profiles.map((p) => p.name)).toEqual(['copied', 'default']);
    expect(
      cliJson<StatsJson>(['--data-dir', data, 'stats', '--profile', 'copied']).stats?.likes,
    ).toBe(21);
  });

  it('refuses a corrupt profile with exit 1, leaving it byte for byte as it was', () => {
    const data = tempDir();
    fs.mkdirSync(path.join(data, 'user_configs'), { recursive: true });
    const file = path.join(data, 'user_configs', 'default.db');
    const bytes = Buffer.from('not a database at all\n'.repeat(100));
    fs.writeFileSync(file, bytes);
    const recording = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 1 })]);
    for (const args of [['stats'], ['replay', recording], ['reset'], ['sessions']]) {
      const result = cli(['--data-dir', data, ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/default\.db is not a readable livetally database/);
    }
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('exports history as CSV and JSON', () => {
    const data = tempDir();
    cli(['--data-dir', data, 'replay', DEMO]);
    const all = cli(['--data-dir', data, 'export', '--format', 'csv']);
    expect(all.code).toBe(0);
    // UTF-8 with a byte order mark: Excel opens it as written.
    expect(all.stdout.startsWith('\uFEFFid,')).toBe(true);
    const rows = all.stdout.trim().split('\r\n');
    expect(rows[0]).toBe(
      'id,streamer,room_id,started_at,ended_at,end_reason,viewers,peak_viewers,likes,total_coins,followers,shares,gifts',
    );
    expect(rows[1]).toContain(`,${demoTruth().stats.likes},${demoTruth().stats.totalCoins},`);
    const one = cli(['--data-dir', data, 'export', '--session', '1', '--format', 'json']);
    const doc = JSON.parse(one.stdout) as {
      session: { id: number };
      series: unknown[];
      viewers: unknown[];
    };
    expect(doc.session.id).toBe(1);
    expect(doc.series.length).toBeGreaterThan(20);
    expect(doc.viewers.length).toBeGreaterThan(100);
    expect(cli(['--data-dir', data, 'export', '--session', '9', '--format', 'csv']).code).toBe(1);
    expect(cli(['--data-dir', data, 'export', '--format', 'xml']).code).toBe(2);
    // CSV is the default, and the format is read without regard to case.
    expect(cli(['--data-dir', data, 'export']).stdout).toBe(all.stdout);
    expect(cli(['--data-dir', data, 'export', '--format', 'CSV']).stdout).toBe(all.stdout);
    expect(cli(['--data-dir', data, 'export', '--session', 'abc']).code).toBe(2);
  });

  it('lists sessions as a table and as JSON', () => {
    const data = tempDir();
    cli(['--data-dir', data, 'replay', DEMO]);
    const table = cli(['--data-dir', data, 'sessions']);
    expect(table.stdout).toMatch(/@demo_streamer .* 4m00s +ended/);
    const json = cliJson<{ sessions: { streamer: string; endReason: string }[] }>([
      '--data-dir',
      data,
      'sessions',
    ]);
    expect(json.sessions).toMatchObject([{ streamer: 'demo_streamer', endReason: 'ended' }]);
  });
});
