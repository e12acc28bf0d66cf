// A throw-away PostgreSQL cluster for benches: the same steps as the tests' cluster
// (test/helpers/postgres-cluster.ts), in plain JavaScript so a bench runs without a build of
// the tests. Debian's `postgresql` package provides the binaries; as root the cluster
// belongs to the `postgres` user.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function binDir() {
  if (process.env.LIVETALLY_PG_BIN) return process.env.LIVETALLY_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  const onPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  throw new Error('this bench needs PostgreSQL (Debian: apt-get install postgresql)');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster on a free port of 127.0.0.1 with `settings` (`-c name=value` pairs) and
 * returns its superuser URL, the postmaster's pid, and `stop()`.
 */
export async function startPgCluster(settings = []) {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool, args) => {
    const command = asRoot ? 'runuser' : path.join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
    return execFileSync(command, argv, { stdio: 'pipe', encoding: 'utf8' });
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8']);
  const port = await freePort();
  const options = [`-p ${port}`, '-h 127.0.0.1', `-k ${dir}`, ...settings.map((s) => `-c ${s}`)];
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options.join(' '), '-w', 'start']);
  const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid,
    version: run('pg_ctl', ['--version'])
      .trim()
      .replace(/^pg_ctl \(PostgreSQL\) /, 'PostgreSQL '),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
