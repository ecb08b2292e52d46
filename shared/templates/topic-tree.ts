import type { PageView } from '../domain/catalog';
import { componentTopicKey, pageTopicKey, regionTopicKey } from '../domain/topics';
import { choice, errorMessage } from './forms';
import { html, type SafeHtml } from './html';

/*
 * The component tree of a status page as checkboxes: "Whole page", then each region as a fieldset whose
 * legend is its name, with a box for all of it and one per component, then components outside any region.
 * Each box's value is the topic key the API understands. A followed region or page shows its parts ticked
 * too, and unticking one of those parts narrows it (treeSelection reads the form against what was followed).
 * The script makes the boxes tri-state.
 */

const idFor = (key: string) => `t-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The id of the tree's first box: where an error summary's link for `topics` lands. */
export const firstTopicId = (page: PageView) => idFor(pageTopicKey(page.id));

export function topicTree(input: {
  page: PageView;
  selected: ReadonlySet<string>;
  legend: string;
  hint?: string;
  error?: string;
  /** The fieldset's id; a form with one tree per page needs one each. */
  id?: string;
}): SafeHtml {
  const { page, selected } = input;
  const id = input.id ?? 'topics';
  const wholePage = selected.has(pageTopicKey(page.id));
  const box = (key: string, label: string, role: string, checked: boolean, hint?: string) =>
    choice({
      type: 'checkbox',
      name: 'topic',
      id: idFor(key),
      value: key,
      label,
      checked,
      data: { role },
      ...(hint ? { hint } : {}),
    });
  const regions = page.regions.map((region) => {
    const regionKey = regionTopicKey(page.id, region.id);
    const wholeRegion = wholePage || selected.has(regionKey);
    return html`<fieldset data-region><legend>${region.name}</legend>
${box(regionKey, `All of ${region.name}, including components added later`, 'region', wholeRegion)}
<div class="children">${region.components.map((c) => {
      const key = componentTopicKey(page.id, c.id);
      return box(key, c.name, 'component', wholeRegion || selected.has(key));
    })}</div></fieldset>`;
  });
  const loose = page.components.length
    ? html`<fieldset data-region data-loose><legend>Other components</legend>${page.components.map((c) => {
        const key = componentTopicKey(page.id, c.id);
        return box(key, c.name, 'component', wholePage || selected.has(key));
      })}</fieldset>`
    : '';
  const describedBy = [input.hint ? `${id}-hint` : '', input.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<fieldset id="${id}" class="${input.error ? 'field-error' : ''}" data-tree${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
<legend>${input.legend}</legend>${input.hint ? html`<span class="hint" id="${id}-hint">${input.hint}</span>` : ''}${errorMessage(id, input.error)}
${box(pageTopicKey(page.id), 'Whole page', 'page', wholePage, `Everything on ${page.name}, including regions and components added later`)}
${regions}${loose}</fieldset>`;
}

const LEVELS = [
  {
    value: 'all',
    label: 'Every update',
    hint: 'Investigating, identified, monitoring, resolved and postmortems',
  },
  {
    value: 'lifecycle',
    label: 'Start and resolution only',
    hint: 'When an incident begins and when it ends',
  },
  { value: 'major', label: 'Major incidents only', hint: 'Only incidents with major or critical impact' },
] as const;

/** The notification level as three labelled radio buttons. */
export function levelChoice(selected: string, error?: string): SafeHtml {
  return html`<fieldset id="level" class="${error ? 'field-error' : ''}"><legend>How often</legend>${errorMessage('level', error)}
${LEVELS.map((level) =>
  choice({
    type: 'radio',
    name: 'level',
    id: `level-${level.value}`,
    value: level.value,
    label: level.label,
    hint: level.hint,
    checked: selected === level.value,
  }),
)}</fieldset>`;
}

/** A level in words, for "what changed" and the subscriber's summary. */
export function levelLabel(level: string): string {
  return LEVELS.find((l) => l.value === level)?.label ?? level;
}
