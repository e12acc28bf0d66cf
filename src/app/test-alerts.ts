import { LivetallyError } from '../domain/errors.js';
import { goalNext } from '../domain/goals.js';
import type { ActivityView, GoalsPush, TestAlertKind, ViewerUser } from '../shared/api-types.js';

/** What the dashboard's test buttons send to the overlays: marked, never counted nor kept. */
export type TestAlert =
  { kind: 'activity'; activity: ActivityView } | { kind: 'goals'; push: GoalsPush };

export interface TestAlertRequest {
  kind: TestAlertKind;
  /** The test gift's worth, to try an overlay's minimum coins (default 100). */
  coins?: number;
  /** Only this goal moves in a goal test (default: every goal). */
  goalId?: string;
}

const TEST_VIEWER: ViewerUser = {
  id: 'livetally-test',
  handle: 'livetally_test',
  nickname: 'livetally test',
};

/**
 * Builds a test alert. A goal test shows every goal (or the one asked for) reaching what
 * it shows as the next target, so that the bar fills and the celebration plays.
 */
export function buildTestAlert(request: TestAlertRequest, goals: GoalsPush, at: number): TestAlert {
  switch (request.kind) {
    case 'follow':
    case 'share':
      return {
        kind: 'activity',
        activity: { kind: request.kind, at, user: TEST_VIEWER, test: true },
      };
    case 'gift': {
      const coins = request.coins ?? 100;
      return {
        kind: 'activity',
        activity: {
          kind: 'gift',
          at,
          user: TEST_VIEWER,
          giftId: '0',
          giftName: 'Test gift',
          diamonds: coins,
          count: 1,
          coins,
          test: true,
        },
      };
    }
    case 'goal': {
      const chosen = goals.goals.filter(
        (g) => request.goalId === undefined || g.id === request.goalId,
      );
      if (chosen.length === 0) {
        throw request.goalId === undefined
          ? new LivetallyError('no_goals', 'there is no goal to test yet: create one first')
          : new LivetallyError(
              'goal_not_found',
              `there is no goal "${request.goalId}" in this profile`,
            );
      }
      return {
        kind: 'goals',
        push: {
          profile: goals.profile,
          test: true,
          goals: chosen.map((goal) => {
            const current = Math.max(goal.current, goal.next);
            return {
              ...goal,
              current,
              next: goalNext(goal, current),
              reached: current >= goal.target,
            };
          }),
        },
      };
    }
  }
}
