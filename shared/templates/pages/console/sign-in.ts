import type { ErrorDetail } from '../../../errors';
import { errorFor, errorMessage, errorSummary } from '../../forms';
import { html } from '../../html';
import { consolePage } from './frame';

/**
 * Sign in with an admin API key. The key is posted in the form body once, to start a session; the
 * browser keeps only the session's HttpOnly cookie. `notice`: why they are here (signed out, session ended).
 */
export function signInPage(input: { notice?: string; errors?: readonly ErrorDetail[] } = {}): string {
  const errors = input.errors ?? [];
  const keyError = errorFor(errors, 'key');
  return consolePage({
    title: 'Sign in',
    hasErrors: errors.length > 0,
    body: html`<h1>Sign in to the support console</h1>
${errorSummary(errors)}
${input.notice ? html`<div class="notice info" role="status"><p>${input.notice}</p></div>` : ''}
<form method="post" action="/console/sign-in" novalidate>
<div class="field${keyError ? ' field-error' : ''}"><label class="block" for="key">API key</label>
<span class="hint" id="key-hint">An admin API key. Ask whoever manages keys for one: a read key lets you look, a write key lets you change things too.</span>
${errorMessage('key', keyError)}
<input type="password" id="key" name="key" autocomplete="off" spellcheck="false" aria-describedby="key-hint${keyError ? ' key-error' : ''}"></div>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
<p class="muted">You stay signed in until you sign out, after a while without activity, or at most 12 hours.</p>`,
  });
}
