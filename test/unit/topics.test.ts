import { describe, expect, it } from 'vitest';
import { ComponentsJson, catalogFromComponentsJson } from '../../shared/domain/catalog';
import { audienceTopicKeys, resolveTopic } from '../../shared/domain/topics';
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
