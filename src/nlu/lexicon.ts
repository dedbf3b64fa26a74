/**
 * Word lists and number parsing for entity extraction (entities.ts), English and Chinese.
 * Colors normalize to English names so one catalog filter serves both languages.
 */

export const EN_NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100,
  a: 1, an: 1, single: 1, couple: 2, pair: 2, dozen: 12,
};

export const EN_ORDINALS: Readonly<Record<string, number>> = {
  first: 0, second: 1, third: 2, fourth: 3, fifth: 4, sixth: 5, seventh: 6, eighth: 7, ninth: 8, tenth: 9,
  '1st': 0, '2nd': 1, '3rd': 2, '4th': 3, '5th': 4, '6th': 5, '7th': 6, '8th': 7, '9th': 8, '10th': 9,
  last: -1, final: -1,
};

/** English color words (and common two-word forms) -> canonical name. */
export const EN_COLORS: Readonly<Record<string, string>> = {
  red: 'red', black: 'black', white: 'white', blue: 'blue', green: 'green', yellow: 'yellow', grey: 'grey', gray: 'grey',
  pink: 'pink', purple: 'purple', orange: 'orange', brown: 'brown', beige: 'beige', navy: 'navy', 'navy blue': 'navy',
  gold: 'gold', golden: 'gold', silver: 'silver', teal: 'teal', turquoise: 'turquoise', maroon: 'maroon', burgundy: 'burgundy',
  khaki: 'khaki', tan: 'tan', cream: 'cream', ivory: 'ivory', olive: 'olive', charcoal: 'charcoal', violet: 'violet',
  'light blue': 'light blue', 'dark blue': 'dark blue', 'sky blue': 'light blue', 'dark green': 'dark green',
  'light green': 'light green', 'rose gold': 'rose gold', 'off white': 'off white', 'off-white': 'off white',
  multicolor: 'multicolor', multicolored: 'multicolor',
};

/** Chinese colors: with 色 always; bare ones only before 的 (红的), since 红 alone starts other words (红烧). */
export const ZH_COLORS: Readonly<Record<string, string>> = {
  红: 'red', 黑: 'black', 白: 'white', 蓝: 'blue', 绿: 'green', 黄: 'yellow', 灰: 'grey', 粉: 'pink', 粉红: 'pink',
  紫: 'purple', 橙: 'orange', 橘: 'orange', 棕: 'brown', 咖啡: 'brown', 米: 'beige', 藏青: 'navy', 深蓝: 'dark blue',
  浅蓝: 'light blue', 天蓝: 'light blue', 墨绿: 'dark green', 浅绿: 'light green', 金: 'gold', 银: 'silver',
  卡其: 'khaki', 酒红: 'burgundy', 玫瑰金: 'rose gold', 米白: 'off white', 彩: 'multicolor',
};

export const ZH_SIZES: Readonly<Record<string, string>> = {
  加大号: 'XL', 特大号: 'XXL', 超大号: 'XXL', 大号: 'L', 中号: 'M', 小号: 'S', 加小号: 'XS', 均码: 'ONE SIZE',
};

export const EN_SIZE_WORDS: Readonly<Record<string, string>> = {
  'extra small': 'XS', 'x-small': 'XS', small: 'S', medium: 'M', large: 'L', 'extra large': 'XL', 'x-large': 'XL',
  'xx-large': 'XXL', xs: 'XS', s: 'S', m: 'M', l: 'L', xl: 'XL', xxl: 'XXL', xxxl: 'XXXL', '2xl': 'XXL', '3xl': 'XXXL',
};

const ZH_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ZH_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** Chinese or Arabic numerals -> number: "两百" 200, "十五" 15, "一百五" 150 (colloquial), "3.5" 3.5. */
export function parseZhNumber(s: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s);
  const wan = /^(\d+(?:\.\d+)?)万$/.exec(s);
  if (wan) return Number(wan[1]) * 10000;
  let total = 0;
  let section = 0;
  let num = -1;
  let lastUnit = 0;
  for (const ch of s) {
    if (ch in ZH_DIGITS) {
      num = ZH_DIGITS[ch]!;
    } else if (ch in ZH_UNITS) {
      const unit = ZH_UNITS[ch]!;
      section += (num < 0 ? 1 : num) * unit;
      num = -1;
      lastUnit = unit;
    } else if (ch === '万') {
      total += (section + Math.max(num, 0)) * 10000;
      section = 0;
      num = -1;
      lastUnit = 10000;
    } else {
      return undefined;
    }
  }
  // "一百五" means 150: a trailing digit after a unit scales to the next unit down.
  if (num >= 0 && lastUnit >= 100) return total + section + num * (lastUnit / 10);
  return total + section + Math.max(num, 0);
}

export const ZH_NUM = '(?:\\d+(?:\\.\\d+)?万?|[零〇一二两三四五六七八九十百千万]+)';
export const ZH_ORDINAL_DIGITS = '(?:\\d+|[一二三四五六七八九十]+)';
/** Chinese measure words that follow a quantity. */
export const ZH_CLASSIFIERS = '个|件|双|条|瓶|套|台|只|盒|包|份|支|张|把|本|箱|袋|顶|副|款|罐|对';

/**
 * Words that describe a product rather than name a kind of one (audience, material, feature,
 * size): a message of only these refines the last search ("for men", "queen size", "leather").
 */
export const EN_ATTRIBUTE_WORDS: ReadonlySet<string> = new Set(
  (
    'men mens man women womens woman ladies kids kid boys boy girls girl baby toddler adult adults unisex youth ' +
    'leather cotton wool silk linen steel stainless metal plastic glass wood wooden bamboo silicone rubber ceramic aluminum ' +
    'waterproof water resistant wireless bluetooth portable rechargeable insulated polarized polarised adjustable foldable ' +
    'electric manual automatic smart digital mini large small medium big bigger smaller tall short long lightweight heavy ' +
    'queen king twin full double single xl xxl size sized inch inches oz ounce pack set pair pcs piece pieces ' +
    'cheap cheaper cheapest premium budget quality best top new newest popular soft hard warm cold light dark bright ' +
    'memory foam firm plush organic natural vegan slim thin thick wide narrow round square'
  ).split(' '),
);

/**
 * Words of shopper chat and service talk that never name a product, even where a catalog title
 * has them ("order", "return", "help"): a message of only these is not a search.
 */
export const EN_NOT_PRODUCT_WORDS: ReadonlySet<string> = new Set(
  (
    'want wanna need looking look find show give get buy buying purchase sell selling carry have got like love would could ' +
    'hello hi hey thanks thank please yes no ok okay sure cool great good nice lol haha bye goodbye morning evening ' +
    'order orders ordered return returns returned refund refunds cancel cancelled ship shipping shipped delivery deliver ' +
    'delivered arrive arrived arriving package parcel track tracking status email mail address cart basket checkout pay ' +
    'paid payment card charge charged account password login coupon discount code promo help support agent human person ' +
    'manager policy store shop website site bot robot price cost costs much many one ones thing things something anything ' +
    'stuff item items product products option options choice kind type sort what which where when why how who ' +
    'first second third last next other another else more less same different again now today tomorrow ' +
    'son daughter dad mom mother father wife husband friend friends boyfriend girlfriend gift present ' +
    'just starting start started new old really very too also there here trip day days week weeks month year ' +
    'work working home office school time thing under over below above around about between within less max ' +
    'dollar dollars buck bucks usd cents price prices budget hundred thousand ten twenty thirty forty fifty ' +
    'decent cheap expensive pricey affordable reasonable forget instead actually fine looks look info information details ' +
    'most least much many lot lots few every each all both either whole only even still yet ever never always often ' +
    'well better worse same such own sure maybe perhaps probably think thought know knew say said tell told ask asked ' +
    'make made use used using go going went come coming came take taking put keep let seem help try trying ' +
    'month months year years ago since while during until before after because though although however ' +
    'thing way part lol haha omg wow hmm umm yeah nope not nothing without none non he she him her his hers they them their we our us ' +
    'whats thats wheres hows whos theres ive im id youre wait hurry'
  ).split(' '),
);
