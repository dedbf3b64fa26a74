import { describe, expect, it } from 'vitest';
import { affirmedTokens, compileExclusion, exclusionText, negationTokens } from '../../src/text/index.js';

describe('negation matching', () => {
  it('folds case, plurals and splits CJK per character', () => {
    expect(negationTokens('Leather BELTS, Boxes; 跑步耳机')).toEqual(['leather', 'belt', 'box', '跑', '步', '耳', '机']);
  });

  it('drops the words a title itself negates', () => {
    expect(affirmedTokens('Stanford Futon Frame - Full Size (Mattress Not Included)')).toEqual(['stanford', 'futon', 'frame', 'full', 'size', 'not', 'included']);
    expect(affirmedTokens('No-Slip Yoga Mat')).toEqual(['no', 'yoga', 'mat']);
    expect(affirmedTokens('Chicken-Free Salmon Cat Treats')).toEqual(['free', 'salmon', 'cat', 'treat']);
    expect(affirmedTokens('Ratchet Belt without Buckle Holes, Black')).toEqual(['ratchet', 'belt', 'without', 'black']);
    expect(affirmedTokens('Tumbler w/o Lid and Straw')).toEqual(['tumbler', 'without', 'and', 'straw']);
    expect(affirmedTokens('BPA Free Water Bottle with Straw')).toEqual(['free', 'water', 'bottle', 'with', 'straw']);
    expect(affirmedTokens('无糖 饼干')).toEqual(['无', '饼', '干']);
  });

  it('excludes a product when its title affirms every word of a negated term', () => {
    const excluded = compileExclusion(['buckles', 'glass beads'])!;
    expect(excluded(exclusionText('Western Leather Belt with Silver Buckle'))).toBe(true);
    expect(excluded(exclusionText('Leather Belt, No Buckle'))).toBe(false);
    expect(excluded(exclusionText('Weighted Blanket with Glass Beads, 15 lbs'))).toBe(true);
    expect(excluded(exclusionText('Weighted Blanket with Plastic Beads'))).toBe(false);
    expect(compileExclusion([])).toBeUndefined();
    expect(compileExclusion(['!!'])).toBeUndefined();
  });
});
