import { describe, expect, it } from 'vitest';
import { describeChannels } from '../../../channels/shared/describe.js';
import { escapeCardMarkdown, escapeSlack } from '../../../channels/shared/escape.js';
import { ChartStore, isMerchant, parseMerchantCommand } from '../../../channels/shared/merchant.js';
import { loadConfig } from '../../../src/config.js';

describe('parseMerchantCommand', () => {
  it('recognises the commands with periods and slash/bot prefixes', () => {
    expect(parseMerchantCommand('report week')).toEqual({ kind: 'report', period: 'week' });
    expect(parseMerchantCommand('/shopbot Report 14d')).toEqual({ kind: 'report', period: '14d' });
    expect(parseMerchantCommand('funnel')).toEqual({ kind: 'report', period: undefined });
    expect(parseMerchantCommand('no results month')).toEqual({ kind: 'no_results', period: 'month' });
    expect(parseMerchantCommand('zero-results')).toEqual({ kind: 'no_results', period: undefined });
    expect(parseMerchantCommand('open escalations')).toEqual({ kind: 'escalations' });
    expect(parseMerchantCommand('commands')).toEqual({ kind: 'help' });
  });
  it('leaves shopper messages alone', () => {
    expect(parseMerchantCommand('I want to report a damaged parcel')).toBeUndefined();
    expect(parseMerchantCommand('show me boots')).toBeUndefined();
    expect(parseMerchantCommand('help')).toBeUndefined();
  });
});

describe('isMerchant', () => {
  it('allows listed users and anyone in the support channel', () => {
    expect(isMerchant('U1', 'U0, U1', false)).toBe(true);
    expect(isMerchant('U2', 'U0, U1', false)).toBe(false);
    expect(isMerchant('U2', undefined, true)).toBe(true);
    expect(isMerchant('U2', undefined, false)).toBe(false);
  });
});

describe('escaping', () => {
  it('escapes Slack mrkdwn control characters', () => {
    expect(escapeSlack('<!channel> & <https://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;https://x|y&gt;');
  });
  it('escapes Adaptive Card markdown', () => {
    expect(escapeCardMarkdown('*new* [a](b) _x_ `c`')).toBe('\\*new\\* \\[a\\]\\(b\\) \\_x\\_ \\`c\\`');
  });
});

describe('ChartStore', () => {
  it('serves charts by unguessable id until they expire', () => {
    let now = 0;
    const store = new ChartStore(() => now, 1000);
    const id = store.put(Buffer.from('png'));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.get(id)?.toString()).toBe('png');
    now = 1000;
    expect(store.get(id)).toBeUndefined();
  });
});

describe('describeChannels', () => {
  it('says which channels are off and why', () => {
    const off = describeChannels(loadConfig({ env: {} }));
    expect(off.map((c) => [c.channel, c.enabled])).toEqual([['teams', false], ['slack', false]]);
    expect(off[0]!.reason).toContain('MICROSOFT_APP_ID');
    expect(off[1]!.reason).toContain('SLACK_SIGNING_SECRET');
    const on = describeChannels(loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', MICROSOFT_APP_ID: 'a', MICROSOFT_APP_PASSWORD: 'p' } }));
    expect(on.map((c) => c.enabled)).toEqual([true, true]);
    expect(on[1]!.support.reason).toContain('SHOPBOT_SLACK_SUPPORT_CHANNEL');
    expect(on[0]!.support.enabled).toBe(false);
  });
});
