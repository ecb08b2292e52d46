import type { ErrorDetail } from '../errors';
import { html, type SafeHtml } from './html';

/*
 * Form pieces in the GOV.UK manner: an error summary at the top whose links jump to each field, the
 * message again beside the field, and labels and hints tied to their controls.
 */

/** The form field a validation detail is about: its path's first part (`topics.2` → `topics`). */
export const fieldOf = (detail: ErrorDetail) => detail.path.split('.')[0] ?? detail.path;

/** The first message for a field, if any. */
export function errorFor(errors: readonly ErrorDetail[], field: string): string | undefined {
  return errors.find((e) => fieldOf(e) === field)?.message;
}

/**
 * "There is a problem", one link per message to its field. `fields` maps a field name to the id of the
 * control to focus (a fieldset's first checkbox, say); names not in it link to themselves.
 */
export function errorSummary(
  errors: readonly ErrorDetail[],
  fields: Record<string, string> = {},
): SafeHtml | '' {
  if (errors.length === 0) return '';
  const seen = new Set<string>();
  const items = errors.filter((e) => !seen.has(e.message) && seen.add(e.message));
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title" data-error-summary>
<h2 id="error-summary-title">There is a problem</h2>
<ul>${items.map((e) => html`<li><a href="#${fields[fieldOf(e)] ?? fieldOf(e)}">${e.message}</a></li>`)}</ul></div>`;
}

export function errorMessage(id: string, message: string | undefined): SafeHtml | '' {
  return message
    ? html`<span class="error-message" id="${id}-error"><span class="visually-hidden">Error: </span>${message}</span>`
    : '';
}

/** A checkbox or radio with its label and optional hint, all tied together for screen readers. */
export function choice(input: {
  type: 'checkbox' | 'radio';
  name: string;
  id: string;
  value: string;
  label: string | SafeHtml;
  checked: boolean;
  hint?: string;
  data?: Record<string, string>;
}): SafeHtml {
  const data = Object.entries(input.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  const describedBy = input.hint ? html` aria-describedby="${input.id}-hint"` : '';
  return html`<div class="choice"><input type="${input.type}" name="${input.name}" id="${input.id}" value="${input.value}"${input.checked ? html` checked` : ''}${describedBy}${data}><div><label for="${input.id}">${input.label}</label>${input.hint ? html`<span class="hint" id="${input.id}-hint">${input.hint}</span>` : ''}</div></div>`;
}

/** A hidden field; every console form carries its CSRF token this way. */
export const hidden = (name: string, value: string) =>
  html`<input type="hidden" name="${name}" value="${value}">`;

/** Filled with the browser's time zone by the pages' script; empty without it (the page's zone is used). */
export const timeZoneField = html`<input type="hidden" name="timeZone" value="" data-time-zone>`;
