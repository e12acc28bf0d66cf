import type { ConnectionView } from '../../src/shared/api-types.js';
import { ApiError, type Api } from '../shared/api.js';
import { byId, isAvailable, setAvailable, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { describeConnection } from './connection-words.js';

/**
 * Connect and disconnect, and the connection's state in words. The state shown is what the
 * realtime channel says; the HTTP answers only matter for their errors (the channel can be
 * ahead of them, e.g. a short recording may already have ended when "connected" arrives).
 */
export class ConnectionPanel {
  private readonly form = byId('connect-form', HTMLFormElement);
  private readonly input = byId('streamer', HTMLInputElement);
  private readonly connect = byId('connect', HTMLButtonElement);
  private readonly disconnect = byId('disconnect', HTMLButtonElement);
  private readonly detail = byId('connection-detail', HTMLElement);
  private readonly error = byId('connection-error', HTMLElement);
  private readonly badge = byId('badge', HTMLElement);
  private view: ConnectionView | null = null;
  /** What the last live connection played: a recording that ran out "ended" too. */
  private lastSource: ConnectionView['source'] = null;
  /** This page asked for the disconnect: that is no "ended" LIVE. */
  private disconnecting = false;
  private busy = false;

  constructor(
    private readonly api: Api,
    private readonly onChange: (view: ConnectionView) => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (isAvailable(this.connect)) void this.requestConnect();
      else if (!this.busy && this.view?.streamer) {
        setText(this.error, t('connection.alreadyConnected', { who: `@${this.view.streamer}` }));
      }
    });
    this.disconnect.addEventListener('click', () => {
      if (isAvailable(this.disconnect)) void this.requestDisconnect();
    });
    this.updateButtons();
  }

  render(view: ConnectionView): void {
    this.view = view;
    if (view.state === 'disconnected') {
      if (this.disconnecting) this.lastSource = null;
      this.disconnecting = false;
    } else {
      this.lastSource = view.source;
      if (view.streamer && document.activeElement !== this.input) this.input.value = view.streamer;
    }
    const words = describeConnection(view, this.lastSource);
    setText(this.badge, words.word);
    this.badge.dataset['state'] = words.state;
    setText(this.detail, words.detail);
    setText(this.error, words.error ?? '');
    this.updateButtons();
    this.onChange(view);
  }

  /**
   * The realtime channel is down: nothing the panel shows is known to be true, and what
   * comes after it (perhaps a restarted livetally) is no "ended" LIVE.
   */
  offline(): void {
    this.view = null;
    this.lastSource = null;
    setText(this.badge, t('connection.word.offline'));
    this.badge.dataset['state'] = 'offline';
    this.updateButtons();
  }

  /** This page is about to end the connection (a profile switch): not an "ended" LIVE. */
  expectDisconnect(): void {
    if (this.view && this.view.state !== 'disconnected') this.disconnecting = true;
  }

  /** After a profile switch, the LIVE that ended belonged to the other profile. */
  forgetEnded(): void {
    if (!this.view) return;
    this.lastSource = null;
    this.render({ ...this.view, lastEnd: null });
  }

  private async requestConnect(): Promise<void> {
    const streamer = this.input.value.trim().replace(/^@/, '');
    if (!streamer) {
      setText(this.error, t('connection.typeHandle'));
      this.input.focus();
      return;
    }
    setText(this.error, '');
    await this.run(() => this.api.post<ConnectionView>('/api/connection', { streamer }));
  }

  private async requestDisconnect(): Promise<void> {
    this.disconnecting = true;
    await this.run(() => this.api.delete<ConnectionView>('/api/connection'));
  }

  private async run(request: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.updateButtons();
    try {
      await request();
    } catch (error) {
      this.disconnecting = false;
      setText(this.error, error instanceof ApiError ? error.message : String(error));
    } finally {
      this.busy = false;
      this.updateButtons();
    }
  }

  private updateButtons(): void {
    const idle = this.view === null || this.view.state === 'disconnected';
    setAvailable(this.connect, !this.busy && idle);
    setAvailable(this.disconnect, !this.busy && !idle);
  }
}
