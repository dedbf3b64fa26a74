import { describe, expect, it } from 'vitest';
import { findCardNumbers, maskPersonalData, maskReply, redactCardNumbers, redactPaymentData } from '../../src/privacy/index.js';

const CARD = '[card number removed]';
const CODE = '[security code removed]';
const PHONE = '[phone number removed]';

describe('card numbers', () => {
  it.each([
    ['spaces', 'card 4111 1111 1111 1111 please'],
    ['dots', 'card 4111.1111.1111.1111 please'],
    ['slashes', 'card 4111/1111/1111/1111 please'],
    ['double spaces', 'card 4111  1111  1111  1111 please'],
    ['underscores', 'card 4111_1111_1111_1111 please'],
    ['commas', 'card 4111, 1111, 1111, 1111 please'],
    ['uneven spaces around dashes', 'card 4111 -1111-  1111 - 1111 please'],
    ['middle dots', 'card 4111·1111·1111·1111 please'],
    ['spaced dashes', 'card 4111 - 1111 - 1111 - 1111 please'],
    ['zero-width spaces', 'card 4111\u200b1111\u200b1111\u200b1111 please'],
    ['no-break and ideographic spaces', 'card 4111\u00a01111\u30001111\u00a01111 please'],
    ['full-width digits', 'card ４１１１ １１１１ １１１１ １１１１ please'],
    ['full-width dots', 'card ４１１１．１１１１．１１１１．１１１１ please'],
    ['Arabic-Indic digits', 'card ٤١١١ ١١١١ ١١١١ ١١١١ please'],
    ['Devanagari digits', 'card ४१११ ११११ ११११ ११११ please'],
    ['one digit at a time', 'card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 please'],
  ])('finds and removes a card written with %s', (_what, text) => {
    expect(findCardNumbers(text)).toHaveLength(1);
    expect(redactCardNumbers(text)).toBe(`card ${CARD} please`);
    expect(maskPersonalData(text)).toBe(`card ${CARD} please`);
  });

  it('replaces the original span and keeps the rest of the text as typed', () => {
    expect(maskPersonalData('卡号 ４１１１－１１１１－１１１１－１１１１ 😀 谢谢')).toBe(`卡号 ${CARD} 😀 谢谢`);
    expect(findCardNumbers('pay with ４１１１ １１１１ １１１１ １１１１!')).toEqual(['４１１１ １１１１ １１１１ １１１１']);
  });

  it('knows Amex, Mastercard 2-series and UnionPay lengths', () => {
    expect(maskPersonalData('3782 822463 10005')).toBe(CARD);
    expect(maskPersonalData('2221 0000 0000 0009')).toBe(CARD);
    expect(maskPersonalData('6212 3456 7890 1232')).toBe(CARD);
  });

  it('leaves numbers that fail the issuer prefix or the Luhn check', () => {
    expect(maskPersonalData('tracking 1234567812345678')).toBe('tracking 1234567812345678');
    expect(maskPersonalData('card 4111 1111 1111 1112')).toBe('card 4111 1111 1111 1112');
    expect(findCardNumbers('isbn 978-3-16-148410-0')).toEqual([]);
  });

  it('does not join a list of short numbers into a card', () => {
    // 30 02 11 2026 11 02 2026 starts like a Diners card and passes the Luhn check.
    expect(findCardNumbers('10:30, 02.11.2026, 11/02/2026')).toEqual([]);
  });
});

describe('security codes and expiry dates', () => {
  it('masks the code and expiry a few words after a card', () => {
    expect(maskPersonalData('4111 1111 1111 1111 exp 12/27 cvv 123')).toBe(`${CARD} exp [expiry removed] cvv ${CODE}`);
    expect(maskPersonalData('4111.1111.1111.1111 / 123')).toBe(`${CARD} / ${CODE}`);
    expect(maskPersonalData('4111  1111  1111  1111 321')).toBe(`${CARD} ${CODE}`);
    expect(maskPersonalData('amex 3782 822463 10005 and the code is 1234')).toBe(`amex ${CARD} and the code is ${CODE}`);
  });

  it('masks a code named as one, with or without a card', () => {
    expect(maskPersonalData('my cvv is 987')).toBe(`my cvv is ${CODE}`);
    expect(maskPersonalData('CVC2: 456')).toBe(`CVC2: ${CODE}`);
    expect(maskPersonalData('security code ９８７')).toBe(`security code ${CODE}`);
    expect(maskPersonalData('安全码：456')).toBe(`安全码：${CODE}`);
    expect(maskPersonalData('验证码是 7788')).toBe(`验证码是 ${CODE}`);
  });

  it('stops looking after a few words or at another number', () => {
    expect(maskPersonalData('4111 1111 1111 1111 was charged twice for order SB-123456')).toBe(`${CARD} was charged twice for order SB-123456`);
    expect(maskPersonalData('4111 1111 1111 1111 was charged and then charged again, 250 dollars')).toBe(`${CARD} was charged and then charged again, 250 dollars`);
  });

  it('redactPaymentData masks payment data but keeps contact details', () => {
    expect(redactPaymentData('card 4111 1111 1111 1111 cvv 123, write to help@shop.example')).toBe(`card ${CARD} cvv ${CODE}, write to help@shop.example`);
  });
});

describe('e-mail addresses', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskPersonalData('email jane.doe+shop@example.com please')).toBe('email j***@example.com please');
    expect(maskPersonalData('Jane@Mail.Example.CO.UK.')).toBe('J***@Mail.Example.CO.UK.');
  });

  it('finds addresses glued to Chinese text and in full-width letters', () => {
    expect(maskPersonalData('邮箱是jane@example.com谢谢')).toBe('邮箱是j***@example.com谢谢');
    expect(maskPersonalData('ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('j***@example.com');
  });

  it('leaves an at sign that is not an address', () => {
    expect(maskPersonalData('2 shirts @ $10 each, @support')).toBe('2 shirts @ $10 each, @support');
  });
});

describe('phone numbers', () => {
  it.each([
    ['+1 (415) 555-1234'],
    ['(415) 555-1234'],
    ['415.555.1234'],
    ['4155551234'],
    ['1-415-555-1234'],
    ['+44 20 7946 0958'],
    ['0044 20 7946 0958'],
    ['020 7946 0958'],
    ['+49-30-12345678'],
    ['06 12 34 56 78'],
    ['+86 138-1234-5678'],
    ['138 1234 5678'],
    ['13812345678'],
    ['١٣٨١٢٣٤٥٦٧٨'],
  ])('masks %s', (phone) => {
    expect(maskPersonalData(`call me on ${phone} today`)).toBe(`call me on ${PHONE} today`);
  });

  it('finds a Chinese mobile number with no space before it', () => {
    expect(maskPersonalData('我的手机13812345678，谢谢')).toBe(`我的手机${PHONE}，谢谢`);
  });

  it('masks two numbers typed one after the other', () => {
    expect(maskPersonalData('415 555 1234 415 555 9876')).toBe(`${PHONE} ${PHONE}`);
  });
});

describe('what is not personal data', () => {
  it.each([
    ['order ids', 'where is my order SB-123456? and #100101, sb100102'],
    ['long order ids', 'order SB-1234567890 and order #4155551234'],
    ['prices', 'under $129.99, between 1,299.00 and 2 000 USD, ¥13812345678, 1234567.89'],
    ['years and dates', 'bought in 2024, delivered 2026-11-02 10:30, 02.11.2026, 11/02/2026, exp 12/27'],
    ['ZIP codes', 'ZIP 94103, 94103-1234, SW1A 1AA, 100080'],
    ['quantities and sizes', '3 pairs, size 10.5, 2 x 12 pack, 1000000 units, 65 inch 4K'],
    ['product codes', 'ASIN B07XJ8C8F5, model QN65Q60C, isbn 978-3-16-148410-0, tracking 1Z999AA10123456784'],
    ['plain 10-digit numbers outside the phone plans', 'reference 1234567890'],
  ])('leaves %s alone', (_what, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('returns text without digits or at signs unchanged', () => {
    const text = 'running shoes for women, 不要皮的 👟';
    expect(maskPersonalData(text)).toBe(text);
  });
});

describe('maskReply', () => {
  it('masks the text and quick replies of a stored bot reply', () => {
    const reply = { conversationId: 'c', text: 'We will write to jane@example.com', quickReplies: [{ label: 'Call 415-555-1234', text: 'call 415-555-1234' }], products: [] };
    expect(maskReply(reply)).toEqual({ conversationId: 'c', text: 'We will write to j***@example.com', quickReplies: [{ label: `Call ${PHONE}`, text: `call ${PHONE}` }], products: [] });
  });
});
