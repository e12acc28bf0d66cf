import type { ActivityView } from '../../src/shared/api-types.js';
import { element } from '../shared/dom.js';
import { formatCount, formatTime } from '../shared/format.js';
import { t, tn } from '../shared/i18n.js';
import { activityIcon } from '../shared/icons.js';

const KEEP = 50;

/** One line about a gift, follow or share; names are the viewers' own text, shown as text. */
export function describeActivity(activity: ActivityView): string {
  const who = activity.user.nickname || `@${activity.user.handle}`;
  switch (activity.kind) {
    case 'gift':
      return t('activity.gift', {
        who,
        gift: activity.giftName,
        count: formatCount(activity.count),
        coins: tn('unit.coins', activity.coins, { n: formatCount(activity.coins) }),
      });
    case 'follow':
      return t('activity.follow', { who });
    case 'share':
      return t('activity.share', { who });
  }
}

/**
 * Gifts at their streak's end, follows and shares, newest first, the last fifty. A burst is
 * drawn once per frame, so a busy LIVE costs one layout per frame at most.
 */
export class ActivityFeed {
  private pending: ActivityView[] = [];
  private frame: number | undefined;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
  ) {}

  add(activity: ActivityView): void {
    this.pending.push(activity);
    if (this.pending.length > KEEP) this.pending.shift();
    this.frame ??= window.requestAnimationFrame(() => this.flush());
  }

  clear(): void {
    this.pending = [];
    if (this.frame !== undefined) window.cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.list.replaceChildren();
    this.empty.hidden = false;
  }

  private flush(): void {
    this.frame = undefined;
    const items = this.pending.reverse().map((activity) => this.item(activity));
    this.pending = [];
    this.list.prepend(...items);
    while (this.list.childElementCount > KEEP) this.list.lastElementChild?.remove();
    this.empty.hidden = this.list.childElementCount > 0;
  }

  private item(activity: ActivityView): HTMLLIElement {
    const li = element('li', { className: `feed-item ${activity.kind}` });
    li.dataset['kind'] = activity.kind;
    li.append(activityIcon(activity.kind, 'feed-icon'));
    li.append(element('span', { className: 'feed-text', text: describeActivity(activity) }));
    if (activity.test) {
      // From the test buttons: shown so the streamer sees it went out, never counted.
      li.dataset['test'] = 'true';
      li.querySelector('.feed-text')!.append(
        ' ',
        element('span', { className: 'test-tag', text: t('overlay.test') }),
      );
    }
    const at = new Date(activity.at);
    li.append(
      element('time', {
        className: 'feed-time',
        text: formatTime(activity.at),
        attrs: { datetime: at.toISOString() },
      }),
    );
    return li;
  }
}
