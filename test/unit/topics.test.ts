import { describe, expect, it } from 'vitest';
import { ComponentsJson } from '../../shared/domain/catalog';
import { catalogFromComponentsJson } from '../../shared/domain/catalog-import';
import {
  audienceTopicKeys,
  resolveTopic,
  topicInputFromKey,
  treeSelection,
  withoutCovered,
} from '../../shared/domain/topics';
import componentsJson from '../fixtures/components.json';
import { EU_CHAT, PAGE_ID, US_CHAT } from '../fixtures/seeds';

const catalog = catalogFromComponentsJson(PAGE_ID, ComponentsJson.parse(componentsJson));

describe('catalogFromComponentsJson', () => {
  it('turns group rows into regions and places components in them', () => {
    expect(catalog.groups.map((g) => g.name)).toEqual(['Prod1 (US)', 'Prod2 (EU)']);
    expect(catalog.components.find((c) => c.componentId === EU_CHAT)).toMatchObject({
      name: 'Channel - Chat',
      groupId: 'grp2prodeu01',
    });
    expect(catalog.components.find((c) => c.componentId === 'cmpapi000001')?.groupId).toBeUndefined();
  });
});

describe('resolveTopic', () => {
  it('fills in the region of a component', () => {
    expect(resolveTopic({ pageId: PAGE_ID, componentId: US_CHAT }, catalog)).toEqual({
      ok: true,
      topic: {
        pageId: PAGE_ID,
        componentId: US_CHAT,
        groupId: 'grp1produs01',
        key: `C#${PAGE_ID}#${US_CHAT}`,
      },
    });
  });

  it.each([
    [{ pageId: PAGE_ID, componentId: 'nope' }, /unknown component/],
    [{ pageId: PAGE_ID, groupId: 'nope' }, /unknown region/],
    [{ pageId: PAGE_ID, groupId: 'grp2prodeu01', componentId: US_CHAT }, /not in region/],
    [{ pageId: 'other' }, /unknown page/],
  ])('refuses %j', (input, problem) => {
    const pageCatalog = input.pageId === PAGE_ID ? catalog : { groups: [], components: [] };
    const resolution = resolveTopic(input, pageCatalog);
    expect(resolution.ok).toBe(false);
    expect(!resolution.ok && resolution.problem).toMatch(problem);
  });
});

describe('audienceTopicKeys', () => {
  it('asks for the component, its region and the page: not the same name in another region', () => {
    expect(audienceTopicKeys(PAGE_ID, [US_CHAT], catalog)).toEqual([
      `P#${PAGE_ID}`,
      `C#${PAGE_ID}#${US_CHAT}`,
      `G#${PAGE_ID}#grp1produs01`,
    ]);
  });

  it('goes to every subscriber of the page when no component is known', () => {
    const keys = audienceTopicKeys(PAGE_ID, [], catalog);
    expect(keys).toContain(`G#${PAGE_ID}#grp2prodeu01`);
    expect(keys).toContain(`C#${PAGE_ID}#${EU_CHAT}`);
    expect(keys).toContain(`C#${PAGE_ID}#cmpapi000001`);
  });

  it('still reaches followers of a component the catalog does not know yet', () => {
    expect(audienceTopicKeys(PAGE_ID, ['newcomponent'], catalog)).toEqual([
      `P#${PAGE_ID}`,
      `C#${PAGE_ID}#newcomponent`,
    ]);
  });
});

describe('withoutCovered', () => {
  const topic = (pageId: string, groupId?: string, componentId?: string) => {
    const resolved = resolveTopic(
      { pageId, ...(groupId ? { groupId } : {}), ...(componentId ? { componentId } : {}) },
      catalog,
    );
    if (!resolved.ok) throw new Error(resolved.problem);
    return resolved.topic;
  };

  it('drops components of a followed region and everything on a followed page', () => {
    const region = topic(PAGE_ID, 'grp1produs01');
    expect(
      withoutCovered([topic(PAGE_ID, undefined, US_CHAT), region, topic(PAGE_ID, undefined, EU_CHAT)]),
    ).toEqual([region, topic(PAGE_ID, undefined, EU_CHAT)]);
    const page = topic(PAGE_ID);
    expect(withoutCovered([region, topic(PAGE_ID, undefined, EU_CHAT), page])).toEqual([page]);
  });

  it('reads a checkbox value (a topic key) back as the API shape, and refuses anything else', () => {
    expect(topicInputFromKey(`G#${PAGE_ID}#grp1produs01`)).toEqual({
      pageId: PAGE_ID,
      groupId: 'grp1produs01',
    });
    expect(topicInputFromKey(`C#${PAGE_ID}#${US_CHAT}`)).toEqual({ pageId: PAGE_ID, componentId: US_CHAT });
    expect(topicInputFromKey('<script>')).toBeUndefined();
    expect(topicInputFromKey('X#a#b')).toBeUndefined();
  });
});

describe('treeSelection', () => {
  const tree = {
    pageId: 'p',
    regions: [
      { groupId: 'us', componentIds: ['chat', 'mail'] },
      { groupId: 'eu', componentIds: ['chat2'] },
    ],
    componentIds: ['api'],
  };
  const select = (sent: string[], before: string[] = []) =>
    treeSelection(tree, new Set(sent), new Set(before)).sort();

  it('takes a ticked region or page as a whole on a new subscription, whatever else is ticked', () => {
    expect(select(['G#p#us'])).toEqual(['G#p#us']);
    expect(select(['G#p#us', 'C#p#chat'])).toEqual(['G#p#us']);
    expect(select(['P#p', 'C#p#api'])).toEqual(['P#p']);
    expect(select(['C#p#chat', 'C#p#mail'])).toEqual(['C#p#chat', 'C#p#mail']);
  });

  it('narrows a followed region when one of its components is unticked (without the script)', () => {
    expect(select(['G#p#us', 'C#p#chat'], ['G#p#us'])).toEqual(['C#p#chat']);
    expect(select(['G#p#us', 'C#p#chat', 'C#p#mail'], ['G#p#us'])).toEqual(['G#p#us']);
  });

  it('widens to a region ticked now, over components followed before', () => {
    expect(select(['G#p#us', 'C#p#chat'], ['C#p#chat'])).toEqual(['G#p#us']);
  });

  it('narrows a followed page to what is still ticked', () => {
    const all = ['P#p', 'G#p#us', 'C#p#chat', 'C#p#mail', 'G#p#eu', 'C#p#chat2', 'C#p#api'];
    expect(select(all, ['P#p'])).toEqual(['P#p']);
    expect(
      select(
        all.filter((k) => k !== 'C#p#mail'),
        ['P#p'],
      ),
    ).toEqual(['C#p#api', 'C#p#chat', 'G#p#eu']);
  });
});
