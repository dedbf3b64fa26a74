/** The chat channels' sponsored label and reason say what the widget says (channels/web/public/widget.js). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPONSORED_LABEL, SPONSORED_WHY, sponsoredNote } from '../../../channels/shared/index.js';

const widget = readFileSync(new URL('../../../channels/web/public/widget.js', import.meta.url), 'utf8');

describe('sponsored note', () => {
  it("uses the widget's label, and the reason's facts from the widget's explanation, in both languages", () => {
    for (const lang of ['en', 'zh'] as const) {
      expect(widget).toContain(`sponsored: '${SPONSORED_LABEL[lang]}',`);
      const why = /sponsoredWhy: '([^']+)'/g;
      const texts = [...widget.matchAll(why)].map((m) => m[1]!);
      const widgetWhy = texts[lang === 'en' ? 0 : 1]!;
      // Each clause of the short reason appears in the widget's longer one (wording kept in step).
      const clauses = lang === 'en' ? ['pays the store when you open this card', 'won this slot in an ad auction among products that match your search', 'never replace'] : ['您打开这张卡片时', '在与您的搜索相符的商品中通过广告竞价获得了这个位置', '不会取代为您排序的结果'];
      for (const c of clauses) {
        expect(widgetWhy).toContain(c);
        expect(SPONSORED_WHY[lang]).toContain(c);
      }
    }
    expect(sponsoredNote('fr')).toEqual({ label: 'Sponsored', why: SPONSORED_WHY.en });
  });
});
