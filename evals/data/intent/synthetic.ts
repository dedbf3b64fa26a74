/**
 * Hand-written templates for the intents and languages no public dataset covers: Chinese for every
 * intent, and English for product_question, add_to_cart, view_cart, coupon_question and
 * conversational product_search. Each template is split as a whole into train or dev (see build.ts),
 * so dev sentences never share a template with train ones.
 */
import type { Intent } from '../../../src/nlu/types.js';

export type Lang = 'en' | 'zh';
export interface TemplateSet {
  readonly intent: Intent;
  readonly lang: Lang;
  readonly templates: readonly string[];
}

export const SLOTS: Readonly<Record<Lang, Readonly<Record<string, readonly string[]>>>> = {
  en: {
    product: ['running shoes', 'a rug', 'coffee table', 'wireless earbuds', 'rain jacket', 'desk lamp', 'office chair', 'yoga mat', 'backpack', 'throw pillows', 'a sofa', 'phone case', 'water bottle', 'winter boots', 'bath towels', 'a blender', 'sunglasses', 'bookshelf', 'hiking socks', 'a dress'],
    item: ['the blue one', 'this jacket', 'these boots', 'the lamp', 'that chair', 'the second one', 'this', 'it', 'the rug', 'those earbuds'],
    color: ['red', 'black', 'navy', 'white', 'green', 'grey', 'beige', 'pink'],
    price: ['$30', '$50', '100 dollars', '$25', '$200', '80 bucks'],
    n: ['two', '3', 'one', 'four', '2', 'a couple of'],
    size: ['medium', 'size 10', 'XL', 'small', 'large', 'size 8'],
    code: ['SAVE10', 'WELCOME15', 'FALL20', 'FREESHIP', 'VIP5'],
    order: ['#1042', 'BB-10420', 'order 1057', '#1188'],
    feature: ['waterproof', 'machine washable', 'made of leather', 'dishwasher safe', 'good for wide feet', 'easy to assemble', 'true to size', 'wireless'],
  },
  zh: {
    product: ['运动鞋', '连衣裙', '蓝牙耳机', '沙发', '台灯', '背包', '羽绒服', '咖啡桌', '地毯', '手机壳', '保温杯', '跑步鞋', '衬衫', '书架', '电饭煲', '毛巾', '太阳镜', '椅子'],
    item: ['这个', '这件', '第二个', '那双鞋', '这款耳机', '刚才那个', '这条裙子', '那个台灯'],
    color: ['红色', '黑色', '白色', '蓝色', '绿色', '灰色', '粉色', '米色'],
    price: ['100元', '200块', '50元', '300元', '八十块', '500块'],
    n: ['两', '三', '一', '2', '4'],
    size: ['大号', '中号', '小号', 'XL', '42码', 'M码'],
    code: ['SAVE10', 'WELCOME15', 'FALL20', 'VIP5'],
    order: ['#1042', 'BB-10420', '1057', '#1188'],
    feature: ['防水', '可以机洗', '真皮的', '保暖', '好组装', '偏大', '无线的', '耐用'],
  },
};

const en = (intent: Intent, templates: string[]): TemplateSet => ({ intent, lang: 'en', templates });
const zh = (intent: Intent, templates: string[]): TemplateSet => ({ intent, lang: 'zh', templates });

export const TEMPLATE_SETS: readonly TemplateSet[] = [
  en('product_search', [
    'let me see some {product}', 'show me options for {product}', 'any {product} under {price}?', 'i\'m after {color} {product}', 'what {product} are popular', 'find {product} {color}',
    'i need {product}', '{product}', '{color} {product}', 'cheap {product}', 'where can i find {product}', 'what {product} would you recommend for a gift', 'do you sell {color} {product} in {size}', 'can i see your {product}', 'i\'d like to look at {product}', 'shopping for {product} today', 'any recommendations for {product}', 'what kind of {product} do you have', 'show {product} rated 4 stars and up', 'looking for {product} without leather', 'suggest something like {product}', 'anything similar to {item}', 'show me cheaper ones', 'something less expensive please', 'more options please', 'do you have anything in {color}',
    'show me {product}', 'i am looking for {product}', 'do you have {color} {product}', 'find me {product} under {price}',
    'any {product} in {color}?', 'i need {product} for my apartment', 'recommend {product}', 'what {product} do you sell',
    'looking for cheap {product}', 'can you suggest {product} below {price}', 'search for {color} {product}',
    'got any {product} in {size}?', 'i want to buy {product}', 'best {product} you have?', 'show me some {product} please',
    'need a gift, maybe {product}', 'what do you have in {product}', '{color} {product} under {price}', 'help me pick {product}',
    'do you carry {product}', 'browse {product}', 'any good {product} on sale', 'i\'m shopping for {product}',
  ]),
  en('product_question', [
    'do you have {item} in {color}?', 'is {item} in stock in {size}', 'any reviews on {item}', 'what do the reviews say', 'more details about {item} please', 'can you describe {item}', 'what\'s {item} like', 'which size fits me best, i\'m usually a {size}', 'does {item} come with a warranty', 'how many stars does {item} have', 'is {item} vegan leather', 'will {item} shrink in the wash',
    'does {item} have good reviews', 'will {item} fit a queen bed', 'what size is {item}', 'is {item} {feature}? thinking of buying it', 'can you tell me if {item} is {feature}', 'how long is {item}', 'is {item} real leather', 'which one is lighter', 'what is {item} made from', 'do you have {item} in stock in {size}', 'how tall is {item}', 'is {item} worth it',
    'is {item} {feature}?', 'what material is {item} made of', 'does {item} come in {color}?', 'how big is {item}',
    'what are the dimensions of {item}', 'is {item} in stock', 'does {item} run small', 'what size should i get in {item}',
    'how many reviews does {item} have', 'what do people say about {item}', 'is {item} available in {size}?',
    'tell me more about {item}', 'what\'s the warranty on {item}', 'is {item} {feature} or not', 'how much does {item} weigh',
    'can you compare {item} with the first one', 'does {item} need batteries', 'what colors does {item} come in',
    'how long does the battery last on {item}', 'is {item} good for kids', 'what brand is {item}', 'are {item} {feature}',
    'how is {item} rated', 'what\'s the difference between these two',
  ]),
  en('add_to_cart', [
    'i\'ll take {n} in {color}', 'i\'ll take it', 'i\'ll take {item} in {size}', 'yes, i want that one', 'add the second one', 'put {item} in the cart', 'add {n} more', 'i want to buy {item}', 'order {item} for me', 'get me {n} of {item}', 'add this to my basket please', 'i would like {n} of these', 'i\'ll get {item}', 'add {item}, size {size}', 'purchase {item}', 'okay add it', 'add {product} to cart',
    'add {item} to my cart', 'put {n} of {item} in the basket', 'i\'ll take {item}', 'add {n} to cart', 'buy {item}',
    'add it to my bag', 'i want {n} of those in {size}', 'put it in my cart please', 'add the {color} one to cart',
    'yes add {item}', 'i\'ll take {n} in {color}', 'throw {item} in my basket', 'add {item} in {size}',
    'can you add {item} to my shopping cart', 'get me {item}, add it', 'i\'d like to buy {n} of them', 'add to basket',
    'grab {item} for me', 'add another one', 'put {n} {product} in my cart',
  ]),
  en('view_cart', [
    'remove it from my cart', 'i changed my mind about {item}, take it out', 'drop {item} from the basket', 'get rid of {item} in my cart', 'what\'s in the bag so far', 'show my basket total', 'cart', 'how many things did i add', 'undo the last item i added',
    'remove {item} from the cart', 'delete {item} from my basket', 'take {item} out of my cart', 'i don\'t want {item} anymore, remove it', 'what\'s in my basket', 'show me my bag', 'update my cart', 'how much do i owe so far', 'change {item} quantity to {n}', 'clear the cart', 'my cart please', 'items in cart', 'open cart', 'what have i picked so far',
    'show my cart', 'what\'s in my cart', 'view basket', 'what did i add so far', 'how much is my cart',
    'open my shopping bag', 'show me what i have in the basket', 'cart total?', 'list the items in my cart',
    'did you add {item} to my cart', 'check my cart', 'remove {item} from my cart', 'take {item} out of the basket',
    'empty my cart', 'change the quantity to {n}', 'what\'s my subtotal', 'how many items are in my cart',
    'see cart', 'go to my bag', 'review my cart before paying',
  ]),
  en('coupon_question', [
    'is there a promo code for {product}', 'do you have a coupon for new customers', 'can i get a discount', 'what discounts do you offer', 'apply {code} to my order', 'i have a voucher {code}', 'why isn\'t my discount showing', 'is there a code for free shipping', 'are there any offers today', 'do you price match',
    'do you have any coupons', 'is there a discount code', 'my code {code} does not work', 'how do i apply a promo code',
    'any sales going on right now', 'can i use {code}', 'where do i enter my voucher', 'is there a student discount',
    'why was my coupon rejected', 'do you have a first order discount', 'the promo code {code} is expired?',
    'can i combine two coupons', 'any deals on {product}', 'is {code} still valid', 'got a discount for me?',
    'how much off with {code}', 'is there free shipping code', 'i forgot to use my coupon on my order',
    'any promotions this weekend', 'does {code} work on sale items',
  ]),
  en('checkout_help', [
    'how do i checkout', 'proceed to checkout', 'i\'m ready to pay', 'take me to checkout', 'can i pay with paypal',
    'do you accept apple pay', 'checkout isn\'t working', 'how do i complete my purchase', 'can i check out as a guest',
    'where do i enter my card details', 'the checkout page keeps loading', 'can i pay in installments', 'buy now',
    'i want to pay for my cart', 'place my order now', 'checkout with {item}', 'let\'s check out', 'how do i pay for {item}',
    'do i need an account to order', 'finish my order',
  ]),
  zh('product_search', [
    '帮我选一款{product}', '想要一件{color}的{product}', '有没有{size}的', '{product}推荐一下', '有什么{product}', '想找便宜的{product}',
    '我要买{color}的{product}', '{product}', '{color}{product}', '想看看{product}', '有{size}的{product}吗', '给我推荐几款{product}', '{price}以内的{product}有吗', '帮我挑一个{product}', '有类似的吗', '有便宜点的吗', '再来几个', '有没有评分4分以上的{product}', '不要皮的{product}', '我在找{product}',
    '有没有{product}', '我想买{product}', '给我看看{color}的{product}', '推荐一款{product}', '{price}以下的{product}',
    '帮我找{product}', '有{color}{product}吗', '想要一双{product}', '找一下{size}的{product}', '有什么好的{product}推荐',
    '{product}有哪些', '便宜点的{product}有吗', '搜索{product}', '我要找{color}的{product}，{price}以内',
    '你们卖{product}吗', '送礼物买什么{product}好', '看看{product}', '最近流行什么{product}', '有没有打折的{product}',
  ]),
  zh('product_question', [
    '{item}是{feature}吗', '{item}是什么材质的', '{item}有{color}的吗', '{item}尺寸多大', '{item}有货吗', '{item}有{size}吗',
    '{item}评价怎么样', '{item}质量好吗', '{item}保修多久', '{item}偏大还是偏小', '介绍一下{item}', '{item}重不重',
    '{item}是什么牌子', '{item}和第一个有什么区别', '{item}适合小孩用吗', '{item}电池能用多久', '{item}有几种颜色',
    '{item}能机洗吗', '这两款哪个好',
  ]),
  zh('add_to_cart', [
    '要{n}双{size}的', '我要{n}件', '这个我买了', '加购{item}', '把第二个加进去', '买{n}个{color}的', '{item}来{n}件', '我就要这个了', '帮我加上{item}', '放进购物车吧', '下单{item}', '拿{n}个',
    '把{item}加入购物车', '加{n}件到购物车', '我要{item}', '买{n}个', '帮我把{item}放进购物车', '就要{item}了',
    '来{n}件{color}的', '{item}要{size}的，加购', '加入购物车', '再加一个', '买这个', '给我来{n}个{product}',
    '{item}我要了', '放购物车里', '要{n}双{size}的',
  ]),
  zh('view_cart', [
    '购物车里都有啥', '我都加了什么', '从购物车拿掉{item}', '购物车里去掉{item}', '看一下我选的东西',
    '购物车里有什么', '我买了什么', '看下购物车', '删掉{item}', '不要{item}了，从购物车删除', '购物车多少钱', '我选了哪些', '修改购物车', '把购物车清空', '购物车里{item}还在吗',
    '看看我的购物车', '购物车里有什么', '我加了哪些东西', '购物车一共多少钱', '打开购物车', '把{item}从购物车删掉',
    '清空购物车', '数量改成{n}个', '购物车总价', '查看购物车', '我的购物车', '购物车里{item}还在吗', '去购物车',
    '把{item}移出购物车',
  ]),
  zh('checkout_help', [
    '我要付款', '结算页面打不开', '可以用信用卡付吗', '{item}怎么下单', '游客可以下单吗', '不注册能买吗', '怎么提交订单', '支付方式有哪些', '下单按钮点不了', '我准备好结账了', '可以用PayPal吗', '能开发票吗，结账时在哪填',
    '怎么下单', '我想结账', '去结算', '付款页面在哪', '下单失败怎么办', '怎么付款', '支持哪些付款方式', '可以货到付款吗',
    '能用支付宝吗', '可以用微信支付吗', '结账的时候出错了', '怎么买', '可以分期吗', '下单要注册吗', '怎么完成购买',
  ]),
  zh('coupon_question', [
    '优惠码在哪里填', '为什么优惠券不能用', '有没有学生优惠', '首单有折扣吗', '现在有什么促销', '能便宜点吗，有券吗', '领券的地方在哪', '{code}是什么优惠', '这个优惠码过期了吗', '双十一有活动吗',
    '有优惠券吗', '有没有折扣码', '优惠码{code}用不了', '优惠券怎么用', '最近有什么活动', '新人有优惠吗', '{code}还能用吗',
    '两张优惠券能一起用吗', '{product}有打折吗', '在哪里输入优惠码', '我的优惠券过期了吗', '有满减活动吗', '有包邮券吗',
    '下单忘了用优惠券', '会员有折扣吗',
  ]),
  zh('order_status', [
    '我的包裹在哪', '物流到哪了', '帮我查一下快递', '货发出来了吗', '订单什么时候送到', '我的{product}什么时候到', '快递一直显示在路上', '查一下我买的{product}到哪了',
    '订单{order}到哪了', '我的包裹现在在哪', '帮我看看订单{order}的物流', '快递几天了还没到', '已经发货了吗', '我的东西怎么还没寄出', '查询订单进度', '我上周买的东西到哪了', '能告诉我快递单号吗', '物流好久没更新了', '订单{order}状态',
    '我的订单到哪了', '订单{order}什么时候到', '查一下我的订单', '我的快递到哪里了', '包裹怎么还没到', '订单状态是什么',
    '帮我查物流', '订单号{order}', '发货了吗', '我买的东西发货没有', '快递单号是多少', '物流信息怎么看', '订单显示已送达但我没收到',
    '我的货什么时候能到', '查订单',
  ]),
  zh('cancel_order', [
    '订单{order}我不要了', '能帮我取消{order}吗', '我想把订单里的颜色改成{color}', '改一下订单的尺码', '取消订单怎么操作', '刚下的单能撤回吗', '还没发货能取消吗', '我要修改订单{order}', '订单地址填错了能改吗', '不想买了，帮我取消',
    '我要取消订单', '取消订单{order}', '怎么取消订单', '订单能改吗', '我想修改订单', '不想要了，取消吧', '把订单里的{product}删掉',
    '能改一下收货地址吗', '下错单了', '取消订单要手续费吗', '订单还能取消吗', '我想换个颜色，订单能改吗', '帮我撤销订单',
    '取消刚才的订单', '改订单数量',
  ]),
  zh('returns_refunds', [
    '{product}坏了怎么办', '收到的东西有破损', '买的{product}不想要了，能退吗', '{item}能退吗', '怎么申请退换货', '退回去的钱到哪了', '尺码不合适可以换吗', '东西有质量问题要求退款',
    '{product}质量有问题，要退款', '退款怎么还没到', '{item}尺码不对能换吗', '我要申请退货', '退货地址是哪里', '退款多久到账', '收到的{product}是坏的', '换货怎么操作', '钱什么时候退给我', '我想退掉{item}', '退货需要什么条件',
    '我要退货', '怎么退款', '退款什么时候到账', '能退换吗', '{product}不合适想退', '退货政策是什么', '几天内可以退货',
    '我要换货', '退款进度怎么查', '收到的东西坏了要退款', '退货要运费吗', '申请退款', '钱什么时候退回来', '可以七天无理由退货吗',
    '我想换个尺码',
  ]),
  zh('shipping_delivery', [
    '能当天送达吗', '有没有次日达', '送货要多久', '快递费谁出', '可以发顺丰吗',
    '寄到上海要几天', '你们发什么快递', '运费怎么算', '多少钱包邮', '能送到{order}这个地址吗', '下单后多久发货', '可以送货上门吗', '支持次日达吗', '国际运费多少', '能寄到香港吗', '配送范围有哪些',
    '运费多少', '多久能发货', '几天能到', '包邮吗', '能寄到北京吗', '有加急配送吗', '你们用什么快递', '可以寄到国外吗',
    '配送要多长时间', '周末送货吗', '能指定送货时间吗', '满多少包邮', '可以自提吗', '偏远地区能送吗', '顺丰能发吗',
  ]),
  zh('payment_problem', [
    '付款的时候一直报错', '信用卡被拒绝了怎么办', '钱扣了两次', '支付宝付款失败', '微信支付不了', '扣款了订单还是待付款', '付款时提示银行卡无效', '我被重复扣费了', '支付超时了', '付款不成功但钱扣了',
    '付款失败了', '我的卡被拒了', '扣款两次了', '付了钱订单没显示', '支付不成功', '信用卡付不了', '扣钱了但订单没了',
    '付款一直转圈', '为什么支付失败', '被多扣钱了', '银行卡支付出错', '付款页面报错', '钱扣了但显示未付款', '重复付款了怎么办',
  ]),
  zh('account', [
    '修改个人资料', '怎么改密码', '账号安全设置', '换绑手机号', '我的会员信息在哪看', '退订邮件通知',
    '密码忘了怎么办', '我想注册一个账号', '怎么删除我的账户', '手机号换了怎么改', '邮箱地址要改一下', '登录一直失败', '收不到注册验证码', '我的账号登不上去', '怎么修改用户名', '帮我注销账户', '怎么找回账号', '账户信息在哪里改',
    '忘记密码了', '怎么注册', '我要注销账号', '修改个人信息', '登录不了', '怎么改邮箱', '账号被锁了', '怎么改手机号',
    '重置密码', '我要创建账户', '切换账号', '怎么退出登录', '收不到验证码', '怎么修改收货地址', '取消订阅邮件',
  ]),
  zh('complaint', [
    '我要投诉客服', '东西质量太差了，我要投诉', '发错货了，太让人生气了', '你们的服务让我很失望', '快递员态度太差', '我要给差评', '这么久都没人处理', '你们太不负责任了', '我对这次购物非常不满', '怎么投诉',
    '我要投诉', '你们服务太差了', '太失望了', '质量太差', '客服态度很差', '等了这么久还没解决', '我很不满意', '这是什么破东西',
    '我要投诉你们的快递', '东西和描述不符', '骗人的吧', '再也不在你们这买了', '给我一个说法', '你们这样做太过分了',
  ]),
  zh('human_agent', [
    '我要人工', '能不能找个真人', '人工客服电话多少', '请帮我转人工客服', '机器人解决不了，找人工', '我想和客服聊', '有在线客服吗', '让人工来处理', '找个工作人员', '接人工',
    '转人工', '我要找人工客服', '能让真人跟我说吗', '人工服务', '客服电话是多少', '我不想和机器人聊', '找你们经理',
    '有没有人工', '联系客服', '帮我转接客服', '我要跟真人说话', '人工客服在吗', '怎么联系你们',
  ]),
  zh('greeting', [
    '您好，请问在吗', '嗨嗨', '哈喽，有人吗', '你好，我想咨询一下', '早啊', '在不在', 'hello，你好', '你好客服',
    '你好', '您好', '嗨', '在吗', '早上好', '晚上好', 'hi，在吗', '哈喽', '你好呀', '有人吗', '下午好', '嗨，你好',
  ]),
  zh('goodbye', [
    '好的，拜拜', '没有其他问题了，再见', '先走了', '那就这样，再见', '拜拜啦', '下次见', '好的，谢谢，再见', '我先下线了',
    '再见', '拜拜', '先这样吧', '回头见', '好的，再见', '下次再聊', '没事了，拜拜', '我走了', '就这样吧，再见', '晚安',
  ]),
  zh('thanks', [
    '谢谢啦', '好的，谢谢你', '感谢', '多谢帮忙', '谢谢，很有帮助', '太好了，谢谢', '万分感谢', '谢了',
    '谢谢', '谢谢你', '多谢', '太感谢了', '谢啦', '好的谢谢', '非常感谢', '感谢帮忙', '辛苦了，谢谢', '谢谢你的帮助',
  ]),
  zh('out_of_scope', [
    '今天星期几', '你会唱歌吗', '帮我算一下汇率', '附近有什么餐厅', '怎么去火车站', '给我放首歌', '明天北京的天气', '你是机器人吗', '帮我查一下航班', '怎么减肥', '世界上最高的山是哪座', '帮我发个短信',
    '今天天气怎么样', '给我讲个笑话', '现在几点了', '帮我订一张机票', '一加一等于几', '你叫什么名字', '推荐一部电影',
    '帮我设个闹钟', '北京有什么好吃的', '怎么做红烧肉', '明天会下雨吗', '翻译一下这句话', '你几岁了', '股票会涨吗',
    '帮我写一首诗', '附近有加油站吗', '人生的意义是什么', '帮我打个电话',
  ]),
];
