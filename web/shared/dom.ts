/** The element with this id, of this type; a page without it is a build mistake. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`page is missing #${id} (${type.name})`);
  return found;
}

/** A new element with text; text is always set as text, never parsed as HTML. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string; attrs?: Record<string, string> } = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  return node;
}

/** Sets text only when it differs: no layout work when a number did not change. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Marks a button unavailable without `disabled`: a disabled button loses keyboard focus
 * the moment it is pressed, and the streamer's place with it. Handlers check `isAvailable`.
 */
export function setAvailable(button: HTMLButtonElement, available: boolean): void {
  if (available) button.removeAttribute('aria-disabled');
  else button.setAttribute('aria-disabled', 'true');
}

export function isAvailable(button: HTMLButtonElement): boolean {
  return button.getAttribute('aria-disabled') !== 'true';
}
