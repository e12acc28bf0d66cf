import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { goalNext } from '../../src/domain/goals.js';
import type {
  ActivityView,
  GoalsPush,
  GoalView,
  StatsResponse,
  StatsView,
} from '../../src/shared/api-types.js';
import { quietRecording } from '../e2e/support/livetally.js';
import {
  closeAllServers,
  socketTo,
  testServer,
  waitFor,
  type TestServer,
} from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

function http(server: TestServer) {
  const request = async (method: string, url: string, body?: unknown) => {
    const response = await server.app.inject({
      method: method as 'GET',
      url,
      headers: {
        host: server.host,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.statusCode,
      json: (response.body ? JSON.parse(response.body) : undefined) as never,
    };
  };
  return {
    get: (url: string) => request('GET', url),
    post: (url: string, body: unknown = {}) => request('POST', url, body),
    patch: (url: string, body: unknown) => request('PATCH', url, body),
    delete: (url: string) => request('DELETE', url),
    goals: async () => ((await request('GET', '/api/goals')).json as { goals: GoalView[] }).goals,
  };
}

function fileGoals(server: TestServer, profile = 'default') {
  const db = new Database(path.join(server.dataDir, 'user_configs', `${profile}.db`), {
    readonly: true,
  });
  try {
    return db.prepare('SELECT id, metric, label, target, on_reach, step FROM goals').all();
  } finally {
    db.close();
  }
}

/** The bytes of a profile's file and its WAL: what "nothing stored" is checked against. */
function fileBytes(server: TestServer, profile = 'default'): string {
  const base = path.join(server.dataDir, 'user_configs', `${profile}.db`);
  return ['', '-wal']
    .map((suffix) =>
      fs.existsSync(base + suffix) ? fs.readFileSync(base + suffix) : Buffer.alloc(0),
    )
    .map((bytes) => bytes.toString('base64'))
    .join('|');
}

describe('goals over HTTP', () => {
  it('creates, lists, edits and removes goals, kept in the profile file', async () => {
    const server = await testServer();
    const api = http(server);
    expect(await api.goals()).toEqual([]);

    const created = await api.post('/api/goals', { metric: 'likes', target: 1000 });
    expect(created.status).toBe(201);
    const likes = created.json as GoalView;
    expect(likes).toEqual({
      id: likes.id,
      metric: 'likes',
      label: '',
      target: 1000,
      onReach: 'stay',
      step: null,
      current: 0,
      next: 1000,
      reached: false,
    });
    expect(likes.id).toMatch(/^[0-9a-f]{12}$/);
    const coins = (
      await api.post('/api/goals', {
        metric: 'totalCoins',
        target: 500,
        label: '  Coin goal ',
        onReach: 'add',
        step: 250,
      })
    ).json as GoalView;
    expect(coins).toMatchObject({ label: 'Coin goal', onReach: 'add', step: 250, next: 500 });
    expect((await api.goals()).map((g) => g.id)).toEqual([likes.id, coins.id]);

    const edited = await api.patch(`/api/goals/${likes.id}`, { target: 2000, onReach: 'double' });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ id: likes.id, target: 2000, onReach: 'double', label: '' });
    expect(fileGoals(server)).toEqual([
      { id: likes.id, metric: 'likes', label: '', target: 2000, on_reach: 'double', step: null },
      {
        id: coins.id,
        metric: 'totalCoins',
        label: 'Coin goal',
        target: 500,
        on_reach: 'add',
        step: 250,
      },
    ]);

    expect((await api.delete(`/api/goals/${likes.id}`)).status).toBe(204);
    expect((await api.goals()).map((g) => g.id)).toEqual([coins.id]);
    expect(fileGoals(server)).toHaveLength(1);

    // Kept across a restart of livetally.
    const dataDir = server.dataDir;
    await server.close();
    const again = await testServer({ dataDir });
    expect(await http(again).goals()).toEqual([coins]);
  });

  it('refuses invalid values with 400 and an unknown id with 404, storing nothing', async () => {
    const server = await testServer();
    const api = http(server);
    const goal = (await api.post('/api/goals', { metric: 'gifts', target: 10 })).json as GoalView;
    const before = fileBytes(server);
    const invalid: unknown[] = [
      { metric: 'likes', target: 0 },
      { metric: 'likes', target: -1 },
      { metric: 'likes', target: 2.5 },
      { metric: 'likes', target: '100' },
      { metric: 'viewers', target: 100 },
      { metric: 'bogus', target: 100 },
      { target: 100 },
      { metric: 'likes' },
      { metric: 'likes', target: 100, onReach: 'add' },
      { metric: 'likes', target: 100, onReach: 'add', step: 0 },
      { metric: 'likes', target: 100, onReach: 'triple' },
      { metric: 'likes', target: 1e13 },
      { metric: 'likes', target: 100, label: 'x'.repeat(81) },
    ];
    for (const body of invalid) {
      const answer = await api.post('/api/goals', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect((answer.json as { error: { code: string } }).error.code).toMatch(
        /^invalid_(goal|request)$/,
      );
    }
    for (const body of [
      { target: 0 },
      { onReach: 'add' },
      { onReach: 'add', step: null },
      { metric: 'nope' },
    ]) {
      const answer = await api.patch(`/api/goals/${goal.id}`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api.patch('/api/goals/000000000000', { target: 5 })).status).toBe(404);
    const gone = await api.delete('/api/goals/000000000000');
    expect(gone.status).toBe(404);
    expect((gone.json as { error: { code: string } }).error.code).toBe('goal_not_found');
    expect(await api.goals()).toEqual([goal]);
    expect(fileBytes(server)).toBe(before);
  });

  it('keeps goals per profile: another profile has its own, and none of the first', async () => {
    const server = await testServer();
    const api = http(server);
    const mine = (await api.post('/api/goals', { metric: 'likes', target: 100 })).json as GoalView;
    await server.service.createProfile('other');
    await server.service.activateProfile('other');
    expect(await api.goals()).toEqual([]);
    expect((await api.patch(`/api/goals/${mine.id}`, { target: 5 })).status).toBe(404);
    const theirs = (await api.post('/api/goals', { metric: 'shares', target: 3 })).json as GoalView;
    expect(theirs.id).not.toBe(mine.id);
    await server.service.activateProfile('default');
    expect(await api.goals()).toEqual([mine]);
    expect(fileGoals(server, 'other')).toHaveLength(1);
  });
});

describe('goals follow the current stats', () => {
  it('to the exact current and next of the rule, live, and start again with a reset', async () => {
    const replayDir = tempDir();
    const truth = quietRecording(replayDir, 'alice', 71, 60);
    const server = await testServer({ replayDir, speed: 1000 });
    const api = http(server);
    const targets = [
      { metric: 'likes', target: 100, onReach: 'add', step: 37 },
      { metric: 'totalCoins', target: 10, onReach: 'double' },
      { metric: 'followers', target: 1, onReach: 'stay' },
      { metric: 'gifts', target: 1_000_000_000, onReach: 'stay' },
      { metric: 'shares', target: truth.stats.shares, onReach: 'add', step: 1 },
    ] as const;
    for (const body of targets) expect((await api.post('/api/goals', body)).status).toBe(201);

    const socket = socketTo(await server.listen());
    const pushes: { at: number; push: GoalsPush }[] = [];
    const stats: StatsView[] = [];
    socket.on('goals', (push) => pushes.push({ at: Date.now(), push }));
    socket.on('stats', (view) => stats.push(view));
    await waitFor(() => pushes.length > 0);
    expect(pushes[0]!.push.goals).toHaveLength(5);
    expect(pushes[0]!.push.goals.every((g) => g.current === 0)).toBe(true);

    await server.service.connect('alice');
    await waitFor(
      () => JSON.stringify(stats.at(-1)?.stats) === JSON.stringify(truth.stats),
      20_000,
    );
    await waitFor(() =>
      pushes.at(-1)!.push.goals.every((g) => g.current === truth.stats[g.metric]),
    );
    const expected = (goals: GoalView[]) =>
      goals.map((g) => {
        const current = truth.stats[g.metric];
        return { current, next: goalNext(g, current), reached: current >= g.target };
      });
    const last = pushes.at(-1)!.push;
    expect(last.profile).toBe('default');
    expect(
      last.goals.map((g) => ({ current: g.current, next: g.next, reached: g.reached })),
    ).toEqual(expected(last.goals));
    expect(last.goals[4]).toMatchObject({ current: truth.stats.shares, reached: true });
    expect(last.goals[4]!.next).toBe(truth.stats.shares + 1);
    expect(await api.goals()).toEqual(last.goals);

    // Every push is the rule applied to the stats pushed just before it; at most ten a second.
    const live = pushes.slice(1);
    expect(live.length).toBeGreaterThan(1);
    const gaps = live.slice(1).map((p, i) => p.at - live[i]!.at);
    expect(gaps.filter((gap) => gap < 50).length).toBeLessThanOrEqual(2);
    for (const { push } of live) {
      for (const goal of push.goals) expect(goal.next).toBe(goalNext(goal, goal.current));
    }

    // A reset starts every goal again, as the stats do.
    const before = pushes.length;
    await server.service.reset();
    await waitFor(() => pushes.length > before && pushes.at(-1)!.push.goals[0]!.current === 0);
    expect(pushes.at(-1)!.push.goals.map((g) => [g.current, g.next, g.reached])).toEqual(
      targets.map((t) => [0, t.target, false]),
    );
    socket.close();
  });

  it('pushes the list when a goal is created, edited or removed, and the new profile’s after a switch', async () => {
    const server = await testServer();
    const socket = socketTo(await server.listen());
    const pushes: GoalsPush[] = [];
    socket.on('goals', (push) => pushes.push(push));
    await waitFor(() => pushes.length === 1);
    const api = http(server);
    const goal = (await api.post('/api/goals', { metric: 'likes', target: 5 })).json as GoalView;
    await waitFor(() => pushes.at(-1)!.goals.length === 1);
    await api.patch(`/api/goals/${goal.id}`, { label: 'Likes' });
    await waitFor(() => pushes.at(-1)!.goals[0]?.label === 'Likes');
    await server.service.createProfile('other');
    await server.service.activateProfile('other');
    await waitFor(() => pushes.at(-1)!.profile === 'other');
    expect(pushes.at(-1)!.goals).toEqual([]);
    await server.service.activateProfile('default');
    await waitFor(() => pushes.at(-1)!.profile === 'default');
    expect(pushes.at(-1)!.goals.map((g) => g.id)).toEqual([goal.id]);
    await api.delete(`/api/goals/${goal.id}`);
    await waitFor(() => pushes.at(-1)!.goals.length === 0);
    socket.close();
  });
});

describe('the goal routes in OpenAPI', () => {
  it('are described, with the Goal schema', async () => {
    const server = await testServer();
    const doc = (await http(server).get('/api/openapi.json')).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [route, method] of [
      ['/api/goals', 'get'],
      ['/api/goals', 'post'],
      ['/api/goals/{id}', 'patch'],
      ['/api/goals/{id}', 'delete'],
      ['/api/test-alert', 'post'],
    ] as const) {
      expect(doc.paths[route]?.[method], `${method} ${route}`).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/goals']?.['post'])).toContain('onReach');
  });
});

describe('test alerts', () => {
  it('reach the overlays marked as tests and change no number, file or history', async () => {
    const replayDir = tempDir();
    const truth = quietRecording(replayDir, 'alice', 72, 30);
    const server = await testServer({ replayDir, speed: 1000 });
    const api = http(server);
    const goal = (
      await api.post('/api/goals', { metric: 'likes', target: 10, onReach: 'add', step: 10 })
    ).json as GoalView;
    await server.service.connect('alice');
    await waitFor(
      () => JSON.stringify(server.service.view().stats) === JSON.stringify(truth.stats),
      20_000,
    );
    await server.service.disconnect(); // final save: from here the file must not change
    const socket = socketTo(await server.listen());
    const activity: ActivityView[] = [];
    const goals: GoalsPush[] = [];
    socket.on('activity', (a) => activity.push(a));
    socket.on('goals', (push) => goals.push(push));
    await waitFor(() => goals.length === 1);

    const stats = (await api.get('/api/stats')).json as StatsResponse;
    const sessions = (await api.get('/api/sessions')).json as unknown;
    const board = (await api.get('/api/leaderboard?metric=coins&limit=100')).json as unknown;
    const bytes = fileBytes(server);

    for (const kind of ['follow', 'share', 'gift', 'goal'] as const) {
      const answer = await api.post('/api/test-alert', {
        kind,
        coins: kind === 'gift' ? 500 : undefined,
      });
      expect(answer.status, kind).toBe(200);
      expect(answer.json).toEqual({ kind, test: true });
    }
    await waitFor(() => activity.length === 3 && goals.some((push) => push.test));
    expect(activity.map((a) => [a.kind, a.test])).toEqual([
      ['follow', true],
      ['share', true],
      ['gift', true],
    ]);
    expect(activity[2]).toMatchObject({ coins: 500 });
    const tests = goals.filter((push) => push.test);
    expect(tests).toHaveLength(1);
    const real = goals[0]!.goals[0]!;
    expect(tests[0]!.goals[0]).toMatchObject({ id: goal.id, current: real.next, reached: true });
    // Any other push says what there really is.
    for (const push of goals.filter((p) => !p.test)) expect(push).toEqual(goals[0]);

    expect((await api.get('/api/stats')).json).toEqual(stats);
    expect((await api.get('/api/sessions')).json).toEqual(sessions);
    expect((await api.get('/api/leaderboard?metric=coins&limit=100')).json).toEqual(board);
    expect(await api.goals()).toEqual(goals[0]!.goals);
    expect(fileBytes(server)).toBe(bytes);
    socket.close();
  });

  it('refuses an unknown kind, and a goal test without goals', async () => {
    const server = await testServer();
    const api = http(server);
    expect((await api.post('/api/test-alert', { kind: 'raid' })).status).toBe(400);
    const none = await api.post('/api/test-alert', { kind: 'goal' });
    expect(none.status).toBe(409);
    expect((none.json as { error: { code: string } }).error.code).toBe('no_goals');
  });
});
