import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/app.js';
import { fill, formatMoney, loadTemplates, parseTemplates, render } from '../../src/responses/templates.js';

describe('templates', () => {
  const templates = loadTemplates(path.join(REPO_ROOT, 'prompts'));

  it('defines the same keys in English and Chinese', () => {
    expect([...templates.zh.keys()].sort()).toEqual([...templates.en.keys()].sort());
  });

  it('fills only given values and refuses to render a missing required one', () => {
    expect(fill('Order {orderId} is {status}.{eta?}', { orderId: 'SB-1', status: 'shipped' })).toBe('Order SB-1 is shipped.');
    expect(() => fill('Total {total}', {})).toThrow(/total/);
  });

  it('picks variants deterministically from the seed', () => {
    const a = render(templates, 'en', 'greeting', {}, 0);
    expect(render(templates, 'en', 'greeting', {}, 0)).toBe(a);
    expect(render(templates, 'en', 'greeting', {}, 1)).not.toBe(a);
  });

  it('parses sections and rejects duplicates', () => {
    expect(parseTemplates('# c\n[a]\nx\ny\n[b]\nz').get('a')).toEqual(['x', 'y']);
    expect(() => parseTemplates('[a]\nx\n[a]\ny')).toThrow(/duplicate/);
  });

  it('formats money per language', () => {
    expect(formatMoney(1999, 'USD', 'en')).toBe('$19.99');
    expect(formatMoney(1999, 'USD', 'zh')).toMatch(/19\.99/);
  });
});
