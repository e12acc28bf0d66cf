import type { TestAlertKind } from '../../src/shared/api-types.js';
import { ApiError, type Api } from '../shared/api.js';
import { setText, byId } from '../shared/dom.js';
import { t, type MessageKey } from '../shared/i18n.js';

const SENT: Record<TestAlertKind, MessageKey> = {
  follow: 'test.sent.follow',
  share: 'test.sent.share',
  gift: 'test.sent.gift',
  goal: 'test.sent.goal',
};

/**
 * "Test before going live": a made-up follow, share, gift or goal progress for every open
 * overlay (the preview included), marked TEST there. livetally never counts or keeps it.
 */
export class TestAlertButtons {
  private readonly status = byId('test-status', HTMLElement);

  constructor(
    private readonly api: Api,
    /** The test gift's worth: enough to pass the alerts overlay's minimum coins. */
    private readonly giftCoins: () => number,
  ) {
    for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-test-kind]')) {
      button.addEventListener(
        'click',
        () => void this.send(button.dataset['testKind'] as TestAlertKind),
      );
    }
  }

  private async send(kind: TestAlertKind): Promise<void> {
    try {
      await this.api.post(
        '/api/test-alert',
        kind === 'gift' ? { kind, coins: this.giftCoins() } : { kind },
      );
      setText(this.status, t(SENT[kind]));
    } catch (error) {
      setText(this.status, error instanceof ApiError ? error.message : String(error));
    }
  }
}
