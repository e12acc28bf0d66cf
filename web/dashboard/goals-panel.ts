import type { GoalsPush, GoalView } from '../../src/shared/api-types.js';
import { ApiError, type Api } from '../shared/api.js';
import { byId, element, setText } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { goalLabel, goalRule } from '../shared/goal-words.js';
import type { ConfirmDialog } from './confirm-dialog.js';

type GoalBody = Pick<GoalView, 'metric' | 'target' | 'label' | 'onReach'> & {
  step: number | null;
};

/**
 * The active profile's goals: where each stands (from the realtime `goals`), and a form to
 * add one or change one. Several at once; each has its own overlay.
 */
export class GoalsPanel {
  private readonly list = byId('goal-list', HTMLUListElement);
  private readonly empty = byId('goals-empty', HTMLElement);
  private readonly form = byId('goal-form', HTMLFormElement);
  private readonly title = byId('goal-form-title', HTMLElement);
  private readonly metric = byId('goal-metric', HTMLSelectElement);
  private readonly target = byId('goal-target', HTMLInputElement);
  private readonly label = byId('goal-label', HTMLInputElement);
  private readonly onReach = byId('goal-on-reach', HTMLSelectElement);
  private readonly step = byId('goal-step', HTMLInputElement);
  private readonly stepField = byId('goal-step-field', HTMLElement);
  private readonly save = byId('goal-save', HTMLButtonElement);
  private readonly cancel = byId('goal-cancel', HTMLButtonElement);
  private readonly error = byId('goal-error', HTMLElement);
  private readonly status = byId('goal-status', HTMLElement);
  private goals: GoalView[] = [];
  /** The goal being changed; null while the form adds a new one. */
  private editing: string | null = null;
  private busy = false;

  constructor(
    private readonly api: Api,
    private readonly confirm: ConfirmDialog,
    /** Called with every new list (the overlay builder offers these goals). */
    private readonly onChange: (goals: GoalView[]) => void,
    /** "Overlay" on a goal: show it in the overlay builder. */
    private readonly onShowOverlay: (id: string) => void,
  ) {
    this.onReach.addEventListener('change', () => this.showStep());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.cancel.addEventListener('click', () => this.stopEditing());
    this.list.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
      const id = button?.closest<HTMLElement>('[data-goal-id]')?.dataset['goalId'];
      if (!button || !id) return;
      const action = button.dataset['action'];
      if (action === 'edit') this.startEditing(id);
      else if (action === 'remove') void this.remove(id);
      else if (action === 'overlay') this.onShowOverlay(id);
    });
    this.showStep();
  }

  /** The list as the realtime channel pushes it (or as GET /api/goals answered). */
  render(push: Pick<GoalsPush, 'goals'>): void {
    this.goals = push.goals;
    const items = new Map<string, HTMLLIElement>();
    for (const li of this.list.querySelectorAll<HTMLLIElement>('li[data-goal-id]')) {
      items.set(li.dataset['goalId']!, li);
    }
    this.list.replaceChildren(
      ...push.goals.map((goal) => this.item(goal, items.get(goal.id) ?? this.newItem(goal.id))),
    );
    this.empty.hidden = push.goals.length > 0;
    if (this.editing && !push.goals.some((g) => g.id === this.editing)) this.stopEditing();
    this.onChange(push.goals);
  }

  /** A profile switch: the old profile's goals go at once. */
  clear(): void {
    this.stopEditing();
    this.render({ goals: [] });
  }

  private newItem(id: string): HTMLLIElement {
    const li = element('li', { className: 'goal-item' });
    li.dataset['goalId'] = id;
    const head = element('div', { className: 'goal-item-head' });
    head.append(
      element('strong', { className: 'goal-item-label' }),
      element('span', { className: 'goal-item-rule' }),
    );
    const bar = element('div', {
      className: 'mini-bar',
      attrs: { role: 'progressbar', 'aria-valuemin': '0' },
    });
    bar.append(element('div', { className: 'mini-fill' }));
    const foot = element('div', { className: 'goal-item-foot' });
    const actions = element('div', { className: 'goal-item-actions' });
    foot.append(element('span', { className: 'goal-item-numbers' }), actions);
    for (const [action, key] of [
      ['edit', 'goals.edit'],
      ['overlay', 'goals.overlay'],
      ['remove', 'goals.remove'],
    ] as const) {
      const button = element('button', {
        className: `button small${action === 'remove' ? ' danger-outline' : ''}`,
        attrs: { type: 'button', 'data-action': action },
      });
      button.append(t(key), element('span', { className: 'sr-only' }));
      actions.append(button);
    }
    li.append(head, bar, foot);
    return li;
  }

  private item(goal: GoalView, li: HTMLLIElement): HTMLLIElement {
    const name = goalLabel(goal);
    li.dataset['reached'] = String(goal.reached);
    setText(li.querySelector('.goal-item-label')!, name);
    setText(li.querySelector('.goal-item-rule')!, goalRule(goal));
    const numbers = li.querySelector<HTMLElement>('.goal-item-numbers')!;
    setText(numbers, `${formatCount(goal.current)} / ${formatCount(goal.next)}`);
    numbers.dataset['goalCurrent'] = String(goal.current);
    numbers.dataset['goalNext'] = String(goal.next);
    const bar = li.querySelector<HTMLElement>('.mini-bar')!;
    bar.setAttribute('aria-valuemax', String(goal.next));
    bar.setAttribute('aria-valuenow', String(Math.min(goal.current, goal.next)));
    bar.setAttribute('aria-label', name);
    const progress = goal.next > 0 ? Math.min(1, goal.current / goal.next) : 0;
    bar.style.setProperty('--progress', progress.toFixed(4));
    for (const hidden of li.querySelectorAll('button .sr-only')) setText(hidden, ` ${name}`);
    return li;
  }

  private showStep(): void {
    const add = this.onReach.value === 'add';
    this.stepField.hidden = !add;
    this.step.required = add;
  }

  private startEditing(id: string): void {
    const goal = this.goals.find((g) => g.id === id);
    if (!goal) return;
    this.editing = id;
    this.metric.value = goal.metric;
    this.target.value = String(goal.target);
    this.label.value = goal.label;
    this.onReach.value = goal.onReach;
    this.step.value = goal.step === null ? '' : String(goal.step);
    this.showStep();
    setText(this.title, t('goals.form.edit', { name: goalLabel(goal) }));
    setText(this.save, t('goals.form.save'));
    this.cancel.hidden = false;
    setText(this.error, '');
    this.target.focus();
  }

  private stopEditing(): void {
    this.editing = null;
    this.form.reset();
    this.showStep();
    setText(this.title, t('goals.form.new'));
    setText(this.save, t('goals.form.add'));
    this.cancel.hidden = true;
    setText(this.error, '');
  }

  /** What the form says, checked as the server would, so mistakes are named at once. */
  private read(): GoalBody | null {
    const problem = (message: string, field: HTMLElement): null => {
      setText(this.error, message);
      field.focus();
      return null;
    };
    const target = Number(this.target.value);
    if (this.target.value.trim() === '' || !Number.isInteger(target) || target < 1) {
      return problem(t('goals.problem.target'), this.target);
    }
    const onReach = this.onReach.value as GoalView['onReach'];
    let step: number | null = null;
    if (onReach === 'add') {
      step = Number(this.step.value);
      if (this.step.value.trim() === '' || !Number.isInteger(step) || step < 1) {
        return problem(t('goals.problem.step'), this.step);
      }
    }
    return {
      metric: this.metric.value as GoalView['metric'],
      target,
      label: this.label.value.trim(),
      onReach,
      step,
    };
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    setText(this.error, '');
    const body = this.read();
    if (!body) return;
    this.busy = true;
    try {
      const editing = this.editing;
      const goal = editing
        ? await this.api.patch<GoalView>(`/api/goals/${encodeURIComponent(editing)}`, body)
        : await this.api.post<GoalView>('/api/goals', body);
      setText(this.status, t(editing ? 'goals.changed' : 'goals.added', { name: goalLabel(goal) }));
      this.stopEditing();
    } catch (error) {
      setText(this.error, error instanceof ApiError ? error.message : String(error));
    } finally {
      this.busy = false;
    }
  }

  private async remove(id: string): Promise<void> {
    const goal = this.goals.find((g) => g.id === id);
    if (!goal) return;
    const name = goalLabel(goal);
    const ok = await this.confirm.ask({
      title: t('goals.removeConfirm.title', { name }),
      text: t('goals.removeConfirm.text'),
      confirmLabel: t('goals.remove'),
    });
    if (!ok) return;
    try {
      await this.api.delete(`/api/goals/${encodeURIComponent(id)}`);
      setText(this.status, t('goals.removed', { name }));
    } catch (error) {
      setText(this.status, error instanceof ApiError ? error.message : String(error));
    }
  }
}
