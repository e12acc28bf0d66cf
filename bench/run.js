// npm run bench [-- replay|broadcast|server|tiktok|check|history|roster|roster-pg|slow-clients]: prints the figures the issues ask for.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
const log = (line) => process.stdout.write(`${line}\n`);
const which = process.argv[2] ?? 'all';
log(
  `livetally bench — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
);
if (which === 'all' || which === 'replay') {
  const { benchReplay } = await import('./replay.js');
  log('\n== replay (issue 2) ==');
  await benchReplay(log);
}
if (which === 'all' || which === 'broadcast') {
  const { benchBroadcast } = await import('./broadcast.js');
  log('\n== a 4-hour broadcast, 2 million messages (issue 8, item 6) ==');
  await benchBroadcast(log);
}
if (which === 'slow-clients') {
  // Not part of `all`: it runs for a minute and a half.
  const { benchSlowClients } = await import('./slow-clients.js');
  log('\n== websocket clients that never read (issue 8) ==');
  await benchSlowClients(log);
}
if (which === 'all' || which === 'server') {
  const { benchServer } = await import('./server.js');
  log('\n== server under load (issue 3) ==');
  await benchServer(log);
}
if (which === 'all' || which === 'tiktok') {
  const { benchServerTikTok } = await import('./server-tiktok.js');
  log('\n== server on the TikTok path: raw capture, overlay sockets (issue 10) ==');
  await benchServerTikTok(log);
}
if (which === 'all' || which === 'check') {
  const { benchOpenCheck } = await import('./open-check.js');
  log('\n== checking a profile file when it is opened (issue 8) ==');
  await benchOpenCheck(log);
}
if (which === 'all' || which === 'history') {
  const { benchHistory } = await import('./history.js');
  log('\n== history at scale (issue 11) ==');
  await benchHistory(log);
}
if (which === 'all' || which === 'roster') {
  const { benchRoster } = await import('./roster.js');
  log('\n== several LIVEs in one process, SQLite mode (issue 13) ==');
  await benchRoster(log);
}
if (which === 'all' || which === 'roster' || which === 'roster-pg') {
  const { benchRosterPg } = await import('./roster-pg.js');
  log('\n== several LIVEs in two processes on one PostgreSQL database, hosted mode (issue 13) ==');
  await benchRosterPg(log);
}
