import { ApiError, signIn, signOut, token } from './api.js';

/** What every page shares: the sign-in form, sign-out, and errors shown in words. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;

/** An element with text and attributes, for the pages' lists and tables. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export function alertError(e: unknown, restart: () => Promise<void>): void {
  $('alert').textContent = e instanceof Error ? e.message : String(e);
  $('alert').hidden = false;
  if (e instanceof ApiError && e.status === 401) {
    signOut();
    void restart();
  }
}

export function clearAlert(): void {
  $('alert').hidden = true;
}

export interface Me {
  id: string;
  role: string;
  clientId?: string | null;
}

export function currentUser(): Me | null {
  const saved = sessionStorage.getItem('rd.me');
  return saved && token() ? (JSON.parse(saved) as Me) : null;
}

/** Wires the sign-in form and the sign-out button; `start` shows the page for the signed-in user. */
export function wireSession(start: () => Promise<void>): void {
  $('sign-in').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    signIn(String(f.get('email')), String(f.get('password')))
      .then((u) => {
        sessionStorage.setItem('rd.me', JSON.stringify(u));
        clearAlert();
        return start();
      })
      .catch((e: unknown) => alertError(e, start));
  });
  $('sign-out').addEventListener('click', () => {
    signOut();
    sessionStorage.removeItem('rd.me');
    void start();
  });
}

/** Shows the sign-in form or the work area; answers whether someone is signed in. */
export function showSignedIn(): boolean {
  const signed = !!token();
  $('sign-in').hidden = signed;
  $('work').hidden = !signed;
  $('sign-out').hidden = !signed;
  return signed;
}
