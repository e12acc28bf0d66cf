import type { HistoryService } from '../../src/app/history-service.js';
import { METRICS, NOWS, PERIODS, ZONES } from './history-oracle.js';

/**
 * Every history question the API asks, of one engine, as one document keyed by the
 * question: every period in every zone (whole and in date ranges), every window and metric
 * at several "nows", the all-time tops at several limits, each entry's leaderboard, recap
 * and gift breakdown, and the viewers named. Two engines holding the same profile must give
 * equal documents.
 */
export async function everyAnswer(
  service: HistoryService,
  setNow: (ms: number) => void,
  sessionIds: readonly number[],
  viewerIds: readonly string[],
): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  for (const zone of ZONES) {
    for (const period of PERIODS) {
      answers[`summary ${period} ${zone}`] = await service.summary({ period, tz: zone });
      for (const [from, to] of [
        ['2026-03-28', '2026-03-29'],
        ['2026-03-30', '2026-04-01'],
        ['2026-10-25', '2026-10-25'],
      ]) {
        answers[`summary ${period} ${zone} ${from}..${to}`] = await service.summary({
          period,
          tz: zone,
          from,
          to,
        });
      }
    }
  }
  for (const at of NOWS) {
    setNow(at);
    for (const zone of ZONES) {
      for (const period of PERIODS) {
        for (const metric of METRICS) {
          answers[`leaderboard ${metric} ${period} ${zone} ${at}`] = await service.leaderboard({
            metric,
            window: period,
            limit: 100,
            tz: zone,
          });
        }
      }
    }
  }
  for (const metric of METRICS) {
    for (const limit of [1, 3, 10, 100]) {
      answers[`leaderboard ${metric} all ${limit}`] = await service.leaderboard({
        metric,
        window: 'all',
        limit,
      });
    }
  }
  for (const id of sessionIds) {
    answers[`leaderboard session ${id}`] = await service.leaderboard({
      metric: 'coins',
      window: 'session',
      session: id,
      limit: 100,
    });
    answers[`recap ${id}`] = await service.recap(id);
    answers[`gifts ${id}`] = await service.gifts(id);
  }
  for (const id of viewerIds) answers[`viewer ${id}`] = await service.viewer(id);
  return answers;
}
