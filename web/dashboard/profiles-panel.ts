import type { ProfilesResponse, StatsResponse } from '../../src/shared/api-types.js';
import { ApiError, type Api } from '../shared/api.js';
import { byId, element, isAvailable, setAvailable, setText } from '../shared/dom.js';
import { formatBytes } from '../shared/format.js';
import type { ConfirmDialog } from './confirm-dialog.js';
import { t } from '../shared/i18n.js';
import { profileNameProblem, profileNameRules } from './profile-name-check.js';

export interface ProfilesPanelOptions {
  api: Api;
  confirm: ConfirmDialog;
  /** Who is being counted right now, if anyone: switching disconnects from them. */
  liveStreamer: () => string | null;
  /**
   * Called as a switch is requested; what it returns gets the new profile's numbers from the
   * switch's answer (the caller knows whether the realtime channel has said more since).
   */
  beginSwitch: () => (view: StatsResponse) => void;
}

/** The active profile, the switcher, create (rules checked as you type) and delete. */
export class ProfilesPanel {
  private readonly active = byId('active-profile', HTMLElement);
  private readonly select = byId('profile-select', HTMLSelectElement);
  private readonly switchButton = byId('switch', HTMLButtonElement);
  private readonly nameInput = byId('new-profile', HTMLInputElement);
  private readonly createButton = byId('create', HTMLButtonElement);
  private readonly check = byId('new-profile-check', HTMLElement);
  private readonly list = byId('profile-list', HTMLUListElement);
  private readonly status = byId('profile-status', HTMLElement);
  private profiles: ProfilesResponse | null = null;
  private busy = false;
  private refreshing: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: ProfilesPanelOptions) {
    setText(byId('new-profile-rules', HTMLElement), profileNameRules());
    byId('switch-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      if (isAvailable(this.switchButton)) void this.switchTo(this.select.value);
    });
    byId('create-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      if (isAvailable(this.createButton)) void this.create();
    });
    this.nameInput.addEventListener('input', () => this.checkName());
    this.list.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-delete]');
      if (button && isAvailable(button)) void this.remove(button.dataset['delete'] ?? '');
    });
  }

  /** Fetches the list again; calls while one is under way share the next one. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          this.render(await this.options.api.get<ProfilesResponse>('/api/profiles'));
        } catch (error) {
          this.report(error);
        }
      } while (this.again);
      this.refreshing = null;
    })();
    return this.refreshing;
  }

  /** What the realtime channel says is active; a profile not yet listed means a refresh. */
  setActive(name: string): void {
    setText(this.active, name);
    if (this.profiles?.active === name) return;
    void this.refresh();
  }

  private render(profiles: ProfilesResponse): void {
    this.profiles = profiles;
    setText(this.active, profiles.active);
    const keep = this.select.value;
    this.select.replaceChildren(
      ...profiles.profiles.map((p) =>
        element('option', {
          text: p.active ? t('profiles.activeOption', { name: p.name }) : p.name,
          attrs: { value: p.name },
        }),
      ),
    );
    const stillThere = profiles.profiles.some((p) => p.name === keep && !p.active);
    this.select.value = stillThere ? keep : profiles.active;
    this.list.replaceChildren(...profiles.profiles.map((p) => this.item(p)));
    if (this.nameInput.value) this.checkName();
  }

  private item(profile: ProfilesResponse['profiles'][number]): HTMLLIElement {
    const li = element('li', { className: 'profile-item' });
    li.append(element('span', { className: 'profile-name', text: profile.name }));
    li.append(element('span', { className: 'profile-meta', text: formatBytes(profile.sizeBytes) }));
    if (profile.active) {
      li.append(element('span', { className: 'profile-tag', text: t('profiles.active') }));
    } else {
      const button = element('button', {
        className: 'button small danger-outline',
        attrs: { type: 'button', 'data-delete': profile.name },
      });
      button.append(
        t('profiles.delete'),
        element('span', {
          className: 'sr-only',
          text: ` ${t('profiles.deleteWhich', { name: profile.name })}`,
        }),
      );
      li.append(button);
    }
    return li;
  }

  private checkName(): string | null {
    const name = this.nameInput.value;
    const problem = profileNameProblem(name, this.profiles?.profiles.map((p) => p.name) ?? []);
    const empty = name.length === 0;
    this.nameInput.setAttribute('aria-invalid', String(problem !== null && !empty));
    this.check.dataset['ok'] = String(problem === null);
    setText(this.check, empty ? '' : (problem ?? t('profiles.canCreate', { name })));
    return problem;
  }

  private async create(): Promise<void> {
    const problem = this.checkName();
    const name = this.nameInput.value;
    if (problem) {
      setText(this.check, problem);
      this.nameInput.focus();
      return;
    }
    await this.work(async () => {
      const profiles = await this.options.api.post<ProfilesResponse>('/api/profiles', { name });
      this.nameInput.value = '';
      this.render(profiles);
      this.select.value = profiles.profiles.find((p) => p.name === name)?.name ?? profiles.active;
      setText(this.check, '');
      setText(this.status, t('profiles.created', { name }));
    });
  }

  private async switchTo(name: string): Promise<void> {
    if (!name || name === this.profiles?.active) {
      setText(this.status, t('profiles.alreadyActive', { name }));
      return;
    }
    const streamer = this.options.liveStreamer();
    if (streamer) {
      const ok = await this.options.confirm.ask({
        title: t('profiles.switchConfirm.title', { name }),
        text: t('profiles.switchConfirm.text', {
          who: `@${streamer}`,
          profile: this.profiles?.active ?? '',
        }),
        confirmLabel: t('profiles.switch'),
      });
      if (!ok) return;
    }
    await this.work(async () => {
      const show = this.options.beginSwitch();
      const view = await this.options.api.post<StatsResponse>(
        `/api/profiles/${encodeURIComponent(name)}/activate`,
      );
      show(view);
      setText(this.status, t('profiles.switched', { name: view.profile }));
      await this.refresh();
    });
  }

  private async remove(name: string): Promise<void> {
    const ok = await this.options.confirm.ask({
      title: t('profiles.deleteConfirm.title', { name }),
      text: t('profiles.deleteConfirm.text'),
      confirmLabel: t('profiles.delete'),
    });
    if (!ok) return;
    await this.work(async () => {
      await this.options.api.delete(`/api/profiles/${encodeURIComponent(name)}`);
      setText(this.status, t('profiles.deleted', { name }));
      await this.refresh();
      this.select.focus(); // its button is gone; keep the keyboard user in this panel
    });
  }

  private async work(task: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.setButtons(false);
    setText(this.status, '');
    try {
      await task();
    } catch (error) {
      this.report(error);
    } finally {
      this.busy = false;
      this.setButtons(true);
    }
  }

  private setButtons(available: boolean): void {
    setAvailable(this.switchButton, available);
    setAvailable(this.createButton, available);
    for (const button of this.list.querySelectorAll('button')) setAvailable(button, available);
  }

  private report(error: unknown): void {
    setText(this.status, error instanceof ApiError ? error.message : String(error));
  }
}
