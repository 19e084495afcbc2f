import { call } from './api.js';
import { $, el } from './session.js';

/** A campaign as GET /campaigns/:id answers it (the fields the editor shows). */
export interface Campaign {
  id: string;
  clientId: string;
  name: string;
  product: string | null;
  script: string;
  pitches: { key: string; name: string; text: string }[];
  offers: { key: string; name: string; text: string }[];
  talkCapSeconds: number;
  extendedCapSeconds: number;
  extendAllowancePct: number;
  recordCalls: boolean;
  reviewSamplePct: number;
  callingWindow: { start: string; end: string };
  maxAttempts: number;
  minRetryMinutes: number;
  callerId: string | null;
  kind: 'b2b' | 'consumer';
  defaultCountry: string;
  status: 'draft' | 'active' | 'paused' | 'closed';
  callerIds: string[];
}

export interface Caller {
  id: string;
  name: string | null;
  email: string;
  active: boolean;
}

/** What the editor needs from the page around it. */
export interface EditorHost {
  clientName(): string;
  clientId(): string;
  callers(): Caller[];
  /** After a save or a status change: reload the lists and show this campaign. */
  saved(c: Campaign): Promise<void>;
}

const input = (id: string) => $<HTMLInputElement>(id);

/**
 * The campaign editor: every setting of a campaign, its callers, and its status. The activation
 * check is shown as the form changes (the same three rules the service applies); the service's
 * answer is still what counts, and a refusal is shown in words.
 */
export class CampaignEditor {
  private editing: Campaign | null = null;

  constructor(private readonly host: EditorHost) {
    $('add-pitch').addEventListener('click', () => this.addVariant('pitches', 'Pitch'));
    $('add-offer').addEventListener('click', () => this.addVariant('offers', 'Offer'));
    $('editor').addEventListener('input', () => this.check());
    $('editor').addEventListener('change', () => this.check());
  }

  /** Shows a campaign, or an empty form for a new one of the selected client. */
  show(c: Campaign | null): void {
    this.editing = c;
    $('editor-summary').textContent = c ? `Campaign settings: ${c.name}` : 'New campaign';
    input('e-name').value = c?.name ?? '';
    input('e-product').value = c?.product ?? '';
    $<HTMLSelectElement>('e-kind').value = c?.kind ?? 'b2b';
    input('e-caller-id').value = c?.callerId ?? '';
    input('e-country').value = c?.defaultCountry ?? 'US';
    input('e-cap').value = String(c?.talkCapSeconds ?? 300);
    input('e-ext-cap').value = String(c?.extendedCapSeconds ?? 600);
    input('e-ext-pct').value = String(c?.extendAllowancePct ?? 10);
    input('e-from').value = c?.callingWindow.start ?? '08:00';
    input('e-until').value = c?.callingWindow.end ?? '21:00';
    input('e-attempts').value = String(c?.maxAttempts ?? 3);
    input('e-gap').value = String(c?.minRetryMinutes ?? 240);
    input('e-review').value = String(c?.reviewSamplePct ?? 0);
    input('e-record').checked = c?.recordCalls ?? false;
    $<HTMLTextAreaElement>('e-script').value = c?.script ?? '';
    $('e-pitches').replaceChildren();
    $('e-offers').replaceChildren();
    for (const v of c?.pitches ?? []) this.addVariant('pitches', 'Pitch', v);
    for (const v of c?.offers ?? []) this.addVariant('offers', 'Offer', v);
    const assigned = new Set(c?.callerIds ?? []);
    $('e-callers').replaceChildren(
      ...this.host
        .callers()
        .filter((k) => k.active || assigned.has(k.id))
        .map((k) => {
          const box = el('input', undefined, { type: 'checkbox', value: k.id });
          box.checked = assigned.has(k.id);
          const label = el('label');
          label.append(box, ` ${k.name ?? k.email}`);
          return label;
        }),
    );
    this.check();
  }

  /** Saves the form: creates the campaign or changes it, then sets its callers. */
  async save(): Promise<Campaign> {
    const fields = this.fields();
    const callerIds = this.callerIds();
    let c: Campaign;
    if (this.editing) {
      c = await call<Campaign>('PATCH', `/campaigns/${this.editing.id}`, fields);
    } else {
      c = await call<Campaign>('POST', '/campaigns', { ...fields, clientId: this.host.clientId() });
    }
    const same =
      callerIds.length === c.callerIds.length && callerIds.every((id) => c.callerIds.includes(id));
    if (!same) c = await call<Campaign>('PUT', `/campaigns/${c.id}/callers`, { callerIds });
    this.show(c);
    await this.host.saved(c);
    return c;
  }

  /** Saves what is in the form, then moves the campaign to `status` (the service checks it). */
  async setStatus(status: Campaign['status']): Promise<void> {
    const c = await this.save();
    const moved = await call<Campaign>('PATCH', `/campaigns/${c.id}`, { status });
    this.show(moved);
    await this.host.saved(moved);
  }

  private fields(): Record<string, unknown> {
    const num = (id: string) => Number(input(id).value);
    const callerId = input('e-caller-id').value.replace(/[\s().-]/g, '');
    return {
      name: input('e-name').value.trim(),
      product: input('e-product').value.trim(),
      kind: $<HTMLSelectElement>('e-kind').value,
      ...(callerId ? { callerId } : {}),
      defaultCountry: input('e-country').value.trim().toUpperCase(),
      talkCapSeconds: num('e-cap'),
      extendedCapSeconds: num('e-ext-cap'),
      extendAllowancePct: num('e-ext-pct'),
      callingWindow: { start: input('e-from').value, end: input('e-until').value },
      maxAttempts: num('e-attempts'),
      minRetryMinutes: num('e-gap'),
      reviewSamplePct: num('e-review'),
      recordCalls: input('e-record').checked,
      script: $<HTMLTextAreaElement>('e-script').value,
      pitches: this.variants('e-pitches'),
      offers: this.variants('e-offers'),
    };
  }

  private callerIds(): string[] {
    return [...$('e-callers').querySelectorAll<HTMLInputElement>('input:checked')].map(
      (b) => b.value,
    );
  }

  private variants(box: string): { name: string; text: string }[] {
    return [...$(box).querySelectorAll('.variant')]
      .map((row) => ({
        name: row.querySelector<HTMLInputElement>('input')!.value.trim(),
        text: row.querySelector<HTMLTextAreaElement>('textarea')!.value,
      }))
      .filter((v) => v.name);
  }

  private addVariant(
    list: 'pitches' | 'offers',
    noun: string,
    v: { name: string; text: string } = { name: '', text: '' },
  ): void {
    const box = $(list === 'pitches' ? 'e-pitches' : 'e-offers');
    const n = box.children.length + 1;
    const row = el('div', undefined, { class: 'variant row wrap' });
    const name = el('input', undefined, { 'aria-label': `${noun} ${n} name`, maxlength: '100' });
    name.value = v.name;
    const text = el('textarea', undefined, {
      'aria-label': `${noun} ${n} text`,
      rows: '2',
      maxlength: '5000',
    });
    text.value = v.text;
    const remove = el('button', `Remove ${noun.toLowerCase()} ${n}`, { type: 'button' });
    remove.addEventListener('click', () => row.remove());
    row.append(name, text, remove);
    box.append(row);
    if (!v.name) name.focus();
  }

  /** What still keeps the campaign from going active, by the service's three rules. */
  private check(): void {
    const problems: string[] = [];
    const script = $<HTMLTextAreaElement>('e-script').value;
    const client = this.host.clientName();
    if (!script.trim()) problems.push('the script is empty');
    else if (!script.toLowerCase().includes(client.trim().toLowerCase()))
      problems.push(`the script does not name the client ("${client}")`);
    if (!input('e-caller-id').value.trim()) problems.push('no caller ID number is set');
    if (this.callerIds().length === 0) problems.push('no caller is assigned');
    const status = this.editing?.status ?? 'draft';
    $('activation').textContent =
      `Status: ${status}. ` +
      (problems.length
        ? `Before it can go active: ${problems.join('; ')}.`
        : 'Ready to go active.');
    $<HTMLButtonElement>('activate').disabled = status === 'active' || status === 'closed';
    $<HTMLButtonElement>('pause').disabled = status !== 'active';
    $<HTMLButtonElement>('close-campaign').disabled = !this.editing || status === 'closed';
    $<HTMLButtonElement>('save-campaign').disabled = status === 'closed';
  }
}
