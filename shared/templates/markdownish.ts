import { escapeHtml, html, SafeHtml, safeHttpUrl } from './html';

/**
 * Statuspage update text is "markdown-ish": paragraphs, `**bold**`, `## headings`, `* bullets`, bare
 * links; Instatus's is markdown, with `[text](url)` links. This renders that much, after escaping, so
 * nothing in the text can become other markup; anything else stays text. A link always shows its address
 * (`[text](url)` reads "text (url)"), so no text can hide where it goes. Long bodies are kept whole.
 */
export function markdownishToHtml(text: string): SafeHtml {
  const blocks = withLinksSpelledOut(text)
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/);
  return html`${blocks.map((block) => renderBlock(block.trim())).filter(Boolean)}`;
}

/** The same text for the plain-text part: markup characters removed, structure kept. */
export function markdownishToText(text: string): string {
  return withLinksSpelledOut(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/^#{1,6}\s*/gm, '')
    .replace(/^\s*[*-]\s+/gm, '  - ')
    .trim();
}

/** `[text](https://…)` as "text (https://…)"; the address then becomes a link like any bare one. */
function withLinksSpelledOut(text: string): string {
  return text.replace(
    /\[([^[\]\n]{1,1000})\]\((https?:\/\/[^\s()<>]+)\)/g,
    (_, label: string, url: string) => (label.trim() === url ? url : `${label} (${url})`),
  );
}

function renderBlock(block: string): SafeHtml | undefined {
  if (!block) return undefined;
  const heading = /^#{1,6}\s+(.*)$/s.exec(block);
  // A heading and its paragraph often share one line in Statuspage bodies: "## **Summary** On August 6, ...".
  if (heading) {
    const [title, rest] = splitHeading(heading[1] ?? '');
    return html`<p style="margin:16px 0 4px;font-weight:700">${inline(title)}</p>${rest ? html`<p style="margin:0 0 12px">${inline(rest)}</p>` : ''}`;
  }
  const lines = block.split('\n');
  if (lines.every((line) => /^\s*([*-]|•)\s+/.test(line))) {
    const items = lines.map((line) => html`<li>${inline(line.replace(/^\s*([*-]|•)\s+/, ''))}</li>`);
    return html`<ul style="margin:0 0 12px;padding-left:20px">${items}</ul>`;
  }
  return html`<p style="margin:0 0 12px">${lines.map((line, i) => html`${i > 0 ? html`<br>` : ''}${inline(line)}`)}</p>`;
}

function splitHeading(text: string): [string, string] {
  const bold = /^\*\*(.+?)\*\*\s*(.*)$/s.exec(text);
  return bold ? [bold[1] ?? '', bold[2] ?? ''] : [text, ''];
}

/** Escapes, then turns `**x**` into bold and bare http(s) URLs into links. */
function inline(text: string): SafeHtml {
  const parts = text.split(/(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)])/g);
  const rendered = parts.map((part, index) => {
    if (index % 2 === 1) {
      const safe = safeHttpUrl(part);
      if (safe) return `<a href="${escapeHtml(safe)}" style="color:inherit">${escapeHtml(part)}</a>`;
    }
    return escapeHtml(part).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
  });
  return new SafeHtml(rendered.join(''));
}
