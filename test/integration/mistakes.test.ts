import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, DEMO } from '../helpers/cli.js';
import { snapshot } from '../helpers/dir-snapshot.js';
import { connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

// Every mistake a new user makes: one clear line saying what to do, the documented exit
// code, and nothing written — neither in a data directory that exists nor by creating one.

let busyPort: net.Server;
let port = 0;
beforeAll(async () => {
  busyPort = net.createServer();
  await new Promise<void>((resolve) => busyPort.listen(0, '127.0.0.1', resolve));
  port = (busyPort.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => busyPort.close(() => resolve())));

/** A data directory with a profile in it, as after some use. */
function usedDataDir(): string {
  const data = tempDir();
  const recording = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 3 })]);
  expect(cli(['--data-dir', data, 'replay', recording]).code).toBe(0);
  return data;
}

function rawCapture(): string {
  const file = path.join(tempDir(), 'capture.ndjson');
  const lines = [
    JSON.stringify(connected()),
    JSON.stringify({ at: 1_718_000_000_001, method: 'WebcastLikeMessage', payload: 'CAE=' }),
  ];
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

interface Mistake {
  args: () => string[];
  env?: Record<string, string>;
  code: 1 | 2;
  message: RegExp;
}

const folder = () => tempDir();
const mistakes: Record<string, Mistake> = {
  'replay of a file that does not exist': {
    args: () => ['replay', 'nope.ndjson'],
    code: 1,
    message: /^livetally: cannot read recording nope\.ndjson: there is no such file \(ENOENT\)$/,
  },
  'replay of a folder': {
    args: () => ['replay', folder()],
    code: 1,
    message:
      /^livetally: cannot read recording .+: it is a folder; give the \.ndjson file inside it$/,
  },
  'replay --raw of a recording of events': {
    args: () => ['replay', '--raw', DEMO],
    code: 1,
    message:
      /^livetally: .*demo\.ndjson is a recording of events, not a raw capture: replay it without --raw$/,
  },
  'replay of a raw capture without --raw': {
    args: () => ['replay', rawCapture()],
    code: 1,
    message: /^livetally: .*capture\.ndjson is a raw TikTok capture: replay it with --raw$/,
  },
  'replay into a profile that does not exist': {
    args: () => ['replay', DEMO, '--profile', 'nobody'],
    code: 1,
    message: /^livetally: there is no profile named "nobody"$/,
  },
  'reset of a profile that does not exist': {
    args: () => ['reset', '--profile', 'nobody'],
    code: 1,
    message: /^livetally: there is no profile named "nobody"$/,
  },
  'start with a profile that does not exist': {
    args: () => ['start', '--port', '0', '--profile', 'nobody'],
    code: 1,
    message: /^livetally: there is no profile named "nobody"$/,
  },
  'start on a port in use': {
    args: () => ['start', '--port', String(port)],
    code: 1,
    message: /^livetally: port \d+ on 127\.0\.0\.1 is already in use; choose another with --port$/,
  },
  'start on a host name that does not exist': {
    args: () => ['start', '--port', '0', '--host', 'not-a-host'],
    code: 1,
    message:
      /^livetally: cannot listen on "not-a-host": no such host name \(\w+\); use an address of this computer, e\.g\. --host 127\.0\.0\.1/,
  },
  'start with a replay folder that does not exist': {
    args: () => ['start', '--port', '0', '--replay-dir', '/nonexistent/recordings'],
    code: 1,
    message: /^livetally: --replay-dir \/nonexistent\/recordings does not exist$/,
  },
  'start --save-interval 1000h': {
    args: () => ['start', '--port', '0', '--save-interval', '1000h'],
    code: 2,
    message: /^livetally: --save-interval "1000h" is out of range: use 100ms to 1h/,
  },
  'start --save-interval 99999999999s': {
    args: () => ['start', '--port', '0', '--save-interval', '99999999999s'],
    code: 2,
    message: /^livetally: --save-interval "99999999999s" is out of range: use 100ms to 1h/,
  },
  'start --save-interval 0': {
    args: () => ['start', '--port', '0', '--save-interval', '0'],
    code: 2,
    message: /^livetally: --save-interval "0" is out of range: use 100ms to 1h/,
  },
  'LIVETALLY_SAVE_INTERVAL=50ms': {
    args: () => ['start', '--port', '0'],
    env: { LIVETALLY_SAVE_INTERVAL: '50ms' },
    code: 2,
    message: /^livetally: LIVETALLY_SAVE_INTERVAL "50ms" is out of range: use 100ms to 1h/,
  },
  'replay --save-interval 0': {
    args: () => ['replay', DEMO, '--save-interval', '0'],
    code: 2,
    message: /^livetally: --save-interval "0" is out of range: use 100ms to 1h/,
  },
  'start --speed 0.0000001': {
    args: () => ['start', '--port', '0', '--speed', '0.0000001'],
    code: 2,
    message:
      /^livetally: --speed "0\.0000001" is out of range: use 0 \(as fast as possible\) or 0\.01 to 1000 \(1 = real time\)$/,
  },
  'replay --speed 5000': {
    args: () => ['replay', DEMO, '--speed', '5000'],
    code: 2,
    message: /out of range: use 0 \(as fast as possible\) or 0\.01 to 1000/,
  },
  'start --token that is too short': {
    args: () => ['start', '--port', '0', '--host', '0.0.0.0', '--token', 'secret'],
    code: 2,
    message: /^livetally: --token is too short \(6 characters; at least 16 are needed\)/,
  },
  'LIVETALLY_TOKEN that is too short': {
    args: () => ['start', '--port', '0', '--host', '0.0.0.0'],
    env: { LIVETALLY_TOKEN: 'fifteen-chars!!' },
    code: 2,
    message: /^livetally: LIVETALLY_TOKEN is too short \(15 characters; at least 16 are needed\)/,
  },
  'start --streamer with a bad handle': {
    args: () => ['start', '--port', '0', '--streamer', 'al ice'],
    code: 2,
    message: /^livetally: "al ice" is not a TikTok handle/,
  },
  'start --demo and --streamer together': {
    args: () => ['start', '--port', '0', '--demo', '--streamer', 'bob'],
    code: 2,
    message: /^livetally: --demo and --streamer both say whom to connect to at start: use one$/,
  },
};

describe('mistakes: one clear line, the right exit code, nothing written', () => {
  it.each(Object.entries(mistakes))('%s', (_name, mistake) => {
    const args = mistake.args();
    for (const data of [path.join(tempDir(), 'never-created'), usedDataDir()]) {
      const before = snapshot(data);
      const result = cli(['--data-dir', data, ...args], mistake.env);
      expect(result.code).toBe(mistake.code);
      // One line; a flag the parser refuses adds its usual hint.
      const [line, ...more] = result.stderr.trim().split('\n');
      expect(line).toMatch(mistake.message);
      expect(more).toEqual(more.length ? ['(run with --help for usage)'] : []);
      expect(result.stdout).toBe('');
      expect(snapshot(data)).toEqual(before);
    }
  });

  it('a privileged port, as a user who may not open it', (context) => {
    // Tests often run as root, who may open any port: then as "nobody", who may not.
    let asUser: string[] = [];
    if (process.getuid?.() === 0) {
      if (spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status !== 0) {
        console.log('skipped: running as root and cannot run a command as "nobody" (runuser)');
        context.skip();
        return;
      }
      asUser = ['runuser', '-u', 'nobody', '--'];
    }
    const parent = tempDir();
    fs.chmodSync(parent, 0o777); // that user could create the data directory here
    const data = path.join(parent, 'data');
    const [command, ...args] = [
      ...asUser,
      process.execPath,
      BIN,
      '--data-dir',
      data,
      'start',
      '--port',
      '80',
    ];
    const result = spawnSync(command!, args, {
      encoding: 'utf8',
      env: { ...process.env, LIVETALLY_LOG_LEVEL: '' },
    });
    expect(result.stderr.trim()).toBe(
      'livetally: cannot listen on 127.0.0.1:80: ports below 1024 need administrator rights; use a higher port such as the default 8787 (--port 8787)',
    );
    expect(result.status).toBe(1);
    expect(fs.existsSync(data)).toBe(false);
  });
});

describe('usage', () => {
  it.each([[[]], [['profiles']]])('livetally %j without a subcommand: usage, exit 2', (args) => {
    const result = cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: livetally/);
  });

  it('help asked for is a success', () => {
    const result = cli(['help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: livetally/);
  });

  it('export: --session must be a number (exit 2), CSV is the default and any case works', () => {
    const data = usedDataDir();
    const bad = cli(['--data-dir', data, 'export', '--session', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/a session is given by its number/);
    const csv = cli(['--data-dir', data, 'export', '--format', 'csv']);
    expect(csv.stdout).toMatch(/^\uFEFFid,streamer,/); // with a BOM, for Excel
    expect(cli(['--data-dir', data, 'export']).stdout).toBe(csv.stdout);
    expect(cli(['--data-dir', data, 'export', '--format', 'CSV']).stdout).toBe(csv.stdout);
    expect(cli(['--data-dir', data, 'export', '--format', 'Json']).code).toBe(0);
  });

  it('reset --json prints one document', () => {
    const data = usedDataDir();
    const result = cli(['--data-dir', data, 'reset', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      profile: 'default',
      reset: true,
      stats: { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 },
    });
  });

  it('counts in words: "1 event", "1 bad line"', () => {
    const file = path.join(tempDir(), 'one.ndjson');
    fs.writeFileSync(file, `${JSON.stringify(connected())}\nnot json\n`);
    const result = cli(['--data-dir', tempDir(), 'replay', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Replayed 1 event into profile "default" .*; 1 bad line skipped$/m,
    );
  });

  it('a reader that stops early (| head -c 10) is no error', () => {
    const data = tempDir();
    expect(cli(['--data-dir', data, 'replay', DEMO]).code).toBe(0);
    const result = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `"${process.execPath}" "${BIN}" --data-dir "${data}" export --session 1 --format json | head -c 10`,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stdout).toBe('{\n  "sessi');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('record without internet', () => {
  it('says "cannot reach TikTok", keeps retrying, and leaves no empty capture behind', async (context) => {
    // A network namespace of its own, with no network at all: offline, deterministically.
    if (spawnSync('unshare', ['-n', 'true']).status !== 0) {
      console.log('skipped: cannot make an offline network namespace here (unshare -n)');
      context.skip();
      return;
    }
    const out = path.join(tempDir(), 'alice.ndjson');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const child = spawn(
        'unshare',
        ['-n', process.execPath, BIN, '--data-dir', tempDir(), 'record', 'alice', '--out', out],
        { env: { ...process.env, LIVETALLY_LOG_LEVEL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 60_000;
      while (!/retrying in/.test(stderr) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(
        /cannot reach TikTok \(E[A-Z_]+\): check the internet connection, retrying in 1 s/,
      );
      expect(stderr).not.toMatch(/could not find a LIVE|check the handle|already exists/);
      // Said once per attempt, not echoed twice.
      expect(stderr.match(/retrying in 1 s/g)).toHaveLength(1);
      expect(stdout).toContain(
        `Nothing captured (no LIVE of @alice was connected): ${out} was not created`,
      );
      expect(fs.existsSync(out)).toBe(false);
    }
  }, 150_000);
});
