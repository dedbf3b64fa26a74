/**
 * Chinese shopping terms with their English catalog words, for searching an English catalog in
 * Chinese (dictionary-based query translation). The matched English words are appended to the
 * query, so BM25 and the (English-trained) encoder see words they know. Written for this project;
 * extend it with a merchant's own vocabulary as needed.
 */
const GLOSSARY: Readonly<Record<string, string>> = {
  跑鞋: 'running shoes', 跑步鞋: 'running shoes', 运动鞋: 'sneakers athletic shoes', 鞋子: 'shoes', 鞋: 'shoes', 靴子: 'boots', 靴: 'boots',
  拖鞋: 'slippers', 凉鞋: 'sandals', 高跟鞋: 'heels', 袜子: 'socks', 跑步: 'running', 运动: 'sports athletic', 健身: 'gym workout fitness',
  耳机: 'headphones earbuds', 耳塞: 'earbuds', 蓝牙: 'bluetooth', 无线: 'wireless', 降噪: 'noise cancelling', 音箱: 'speaker', 音响: 'speaker',
  手机壳: 'phone case', 手机: 'phone', 充电器: 'charger', 充电线: 'charging cable', 数据线: 'cable', 充电宝: 'power bank portable charger',
  电脑: 'computer laptop', 笔记本电脑: 'laptop', 平板: 'tablet ipad', 键盘: 'keyboard', 鼠标: 'mouse', 显示器: 'monitor', 电子书: 'kindle ereader',
  手表: 'watch', 智能手表: 'smart watch', 相机: 'camera', 电池: 'battery', 灯: 'light lamp', 台灯: 'desk lamp', 灯泡: 'light bulb',
  咖啡: 'coffee', 保温杯: 'insulated tumbler mug', 杯子: 'cup mug', 马克杯: 'mug', 水杯: 'water bottle cup', 水壶: 'water bottle kettle', 保温: 'insulated keep warm',
  加热: 'warmer heated', 杯垫: 'coaster warmer', 锅: 'pan pot', 刀: 'knife', 刀具: 'knife set', 厨房: 'kitchen', 餐具: 'utensils',
  床垫: 'mattress', 枕头: 'pillow', 被子: 'comforter', 毯子: 'blanket', 毛巾: 'towel', 床单: 'sheets', 椅子: 'chair', 桌子: 'desk table', 办公: 'office',
  衣服: 'clothing', 夹克: 'jacket', 外套: 'coat jacket', 卫衣: 'hoodie sweatshirt', 连衣裙: 'dress', 裙子: 'skirt dress', 裤子: 'pants', 牛仔裤: 'jeans',
  短裤: 'shorts', 衬衫: 'shirt', 帽子: 'hat cap', 手套: 'gloves', 围巾: 'scarf', 背包: 'backpack', 包: 'bag', 钱包: 'wallet', 行李箱: 'luggage suitcase',
  男士: 'men', 男: 'men', 女士: 'women', 女: 'women', 儿童: 'kids', 孩子: 'kids', 婴儿: 'baby', 宝宝: 'baby',
  防水: 'waterproof', 便携: 'portable', 可充电: 'rechargeable', 皮: 'leather', 皮革: 'leather', 棉: 'cotton', 不锈钢: 'stainless steel', 硅胶: 'silicone',
  电钻: 'drill', 锯: 'saw', 工具: 'tools', 螺丝刀: 'screwdriver', 帐篷: 'tent', 露营: 'camping', 户外: 'outdoor', 自行车: 'bike bicycle',
  玩具: 'toy', 书: 'book', 游戏: 'game', 礼品卡: 'gift card', 礼物: 'gift', 化妆品: 'makeup cosmetics', 洗发水: 'shampoo', 牙刷: 'toothbrush',
  双人: 'queen full', 单人: 'twin', 闹钟: 'alarm clock', 红酒杯: 'wine glasses', 酒杯: 'wine glasses', 玻璃杯: 'glasses cups',
  皮带: 'belt', 腰带: 'belt', 饭盒: 'lunch box', 午餐盒: 'lunch box', 便当盒: 'lunch box', 吸管: 'straw', 盖子: 'lid', 加重毯: 'weighted blanket',
  毯: 'blanket', 加重: 'weighted', 蓝芽: 'bluetooth', 太阳眼镜: 'sunglasses', 墨镜: 'sunglasses', 吊扇: 'ceiling fan', 风扇: 'fan',
  瑜伽垫: 'yoga mat', 电动牙刷: 'electric toothbrush', 站立式办公桌: 'standing desk', 升降桌: 'standing desk', 吉他: 'guitar', 野餐篮: 'picnic basket',
  喂鸟器: 'bird feeder', 蜂鸟: 'hummingbird', 旅行杯: 'travel mug', 水瓶: 'water bottle', 浴巾: 'bath towel', 被: 'comforter', 男款: 'men', 女款: 'women',
  狗狗: 'dog', 狗: 'dog', 猫: 'cat', 宠物: 'pet', 眼镜: 'glasses', 太阳镜: 'sunglasses', 项链: 'necklace', 耳环: 'earrings', 戒指: 'ring',
};

const KEYS = Object.keys(GLOSSARY).sort((a, b) => b.length - a.length);

/** English words for the Chinese terms in `text`, longest match first; empty when none. */
export function translateQuery(text: string): string {
  const out: string[] = [];
  let rest = text;
  for (const key of KEYS) {
    if (!rest.includes(key)) continue;
    out.push(GLOSSARY[key]!);
    rest = rest.split(key).join(' ');
  }
  return [...new Set(out.join(' ').split(' '))].join(' ');
}
