/** Words that carry no product meaning, dropped from search terms (English function words and shopping filler; Chinese function words). */

export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have i if in into is it its me my of on or our so such than that the their ' +
    'then there these they this to was were will with you your we us do does did can could would should am been being ' +
    'any some very just also please want need looking show find get buy'
  ).split(' '),
);

/** Function words and shopping filler that carry no product meaning. */
export const CHINESE_STOPWORDS: ReadonlySet<string> = new Set(
  '的 了 和 与 及 是 在 我 你 他 她 它 们 我们 吗 呢 吧 啊 呀 也 都 就 还 要 想 请 给 帮 一个 一些 有 没有 这 那 这个 那个 个 买 找 看看 推荐 一下'.split(' '),
);
