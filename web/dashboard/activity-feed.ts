import type { ActivityView } from '../../src/shared/api-types.js';
import { element } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { activityIcon } from '../shared/icons.js';

const KEEP = 50;

/** One line about a gift, follow or share; names are the viewers' own text, shown as text. */
export function describeActivity(activity: ActivityView): string {
  const who = activity.user.nickname || `@${activity.user.handle}`;
  switch (activity.kind) {
    case 'gift': {
      const coins = `${formatCount(activity.coins)} ${activity.coins === 1 ? 'coin' : 'coins'}`;
      return `${who} sent ${activity.giftName} ×${formatCount(activity.count)} (${coins})`;
    }
    case 'follow':
      return `${who} followed`;
    case 'share':
      return `${who} shared the LIVE`;
  }
}

/**
 * Gifts at their streak's end, follows and shares, newest first, the last fifty. A burst is
 * drawn once per frame, so a busy LIVE costs one layout per frame at most.
 */
export class ActivityFeed {
  private pending: ActivityView[] = [];
  private frame: number | undefined;
  private readonly time = new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

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
    const at = new Date(activity.at);
    li.append(
      element('time', {
        className: 'feed-time',
        text: this.time.format(at),
        attrs: { datetime: at.toISOString() },
      }),
    );
    return li;
  }
}
