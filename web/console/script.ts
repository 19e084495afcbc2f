import { micromark } from 'micromark';

/** The script's placeholders and what fills them. */
export interface ScriptValues {
  'first name': string | null;
  'last name': string | null;
  company: string | null;
  title: string | null;
  'your name': string | null;
  client: string | null;
  product: string | null;
}

const PLACEHOLDER = /\{([^{}\n]{1,40})\}/g;

/**
 * The campaign's script as safe HTML: markdown rendered by micromark (which drops raw HTML and
 * unsafe link protocols by default), then its placeholders filled in the text (never inside a tag
 * or an attribute). A placeholder with no value, or one the console does not know, stays visible
 * and marked, never silently blank.
 */
export function renderScript(markdown: string, values: ScriptValues): string {
  const html = micromark(markdown);
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const root = doc.body.firstElementChild!;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  while (walker.nextNode()) texts.push(walker.currentNode as Text);
  for (const text of texts) {
    const s = text.data;
    if (!PLACEHOLDER.test(s)) continue;
    PLACEHOLDER.lastIndex = 0;
    const parts: Node[] = [];
    let last = 0;
    for (const m of s.matchAll(PLACEHOLDER)) {
      parts.push(doc.createTextNode(s.slice(last, m.index)));
      const key = m[1].trim().toLowerCase() as keyof ScriptValues;
      const value = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
      if (value) {
        parts.push(doc.createTextNode(value));
      } else {
        const mark = doc.createElement('mark');
        mark.className = 'placeholder';
        mark.title = value === undefined ? 'unknown placeholder' : 'no value for this contact';
        mark.textContent = m[0];
        parts.push(mark);
      }
      last = m.index + m[0].length;
    }
    parts.push(doc.createTextNode(s.slice(last)));
    text.replaceWith(...parts);
  }
  // Links open beside the console (a click never leaves the call); one micromark emptied (an
  // unsafe protocol) is no link at all.
  for (const a of Array.from(root.querySelectorAll('a'))) {
    if (!a.getAttribute('href')) {
      a.replaceWith(...Array.from(a.childNodes));
      continue;
    }
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
  }
  return root.innerHTML;
}
