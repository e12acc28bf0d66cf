import { byId } from '../shared/dom.js';

export interface Confirmation {
  title: string;
  text: string;
  /** The button that goes ahead, e.g. "Reset". */
  confirmLabel: string;
}

/**
 * A confirmation step for what cannot be undone, in a modal <dialog>: the browser keeps
 * focus inside, Escape cancels, and focus returns to the button that opened it.
 */
export class ConfirmDialog {
  private readonly dialog = byId('confirm', HTMLDialogElement);
  private readonly title = byId('confirm-title', HTMLElement);
  private readonly text = byId('confirm-text', HTMLElement);
  private readonly ok = byId('confirm-ok', HTMLButtonElement);

  ask(request: Confirmation): Promise<boolean> {
    if (this.dialog.open) return Promise.resolve(false);
    this.title.textContent = request.title;
    this.text.textContent = request.text;
    this.ok.textContent = request.confirmLabel;
    this.dialog.returnValue = '';
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return new Promise((resolve) => {
      this.dialog.addEventListener(
        'close',
        () => {
          opener?.focus();
          resolve(this.dialog.returnValue === 'confirm');
        },
        { once: true },
      );
      this.dialog.showModal();
    });
  }
}
