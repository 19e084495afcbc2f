/**
 * What the caller has typed for a call, kept in the browser per call id until the outcome is
 * saved, so a reload or a lost network loses nothing; all of it is cleared at sign-out (floor PCs
 * are shared).
 */
const PREFIX = 'rd.draft.';

export function loadDraft<T>(callId: string): T | null {
  try {
    const raw = localStorage.getItem(PREFIX + callId);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function saveDraft(callId: string, draft: unknown): void {
  try {
    localStorage.setItem(PREFIX + callId, JSON.stringify(draft));
  } catch {
    // A full or blocked storage only loses the reload safety net; the work goes on.
  }
}

export function dropDraft(callId: string): void {
  localStorage.removeItem(PREFIX + callId);
}

export function dropAllDrafts(): void {
  for (const key of Object.keys(localStorage))
    if (key.startsWith(PREFIX)) localStorage.removeItem(key);
}
