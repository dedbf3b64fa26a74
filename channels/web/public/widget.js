/*
 * Shopbot chat widget. One script tag, no framework, no build step:
 *   <script src="https://shop.example/widget/widget.js" data-server="https://shop.example"></script>
 * It injects a launcher button and a chat panel and talks to the server over socket.io (the client
 * library the server itself serves at /socket.io/socket.io.js).
 *
 * Security rule: every string that comes from the catalog, the bot or the shopper reaches the page
 * through textContent or a vetted attribute (http(s) image URLs only). Never innerHTML with data.
 */
(function () {
  'use strict';

  if (document.getElementById('shopbot-widget')) return; // Embedded twice: keep the first.

  var script = document.currentScript;
  var server = (script && script.getAttribute('data-server')) || (script && script.src ? new URL(script.src).origin : location.origin);
  server = server.replace(/\/+$/, '');
  var STORAGE_KEY = 'shopbot:' + server;
  var PLACEHOLDER = server + '/widget/placeholder.svg';
  var REPLY_TIMEOUT_MS = 30000;

  var LABELS = {
    en: {
      launcher: 'Chat with our shopping assistant',
      title: 'Shopping assistant',
      close: 'Close chat',
      placeholder: 'Ask about products, orders, shipping…',
      send: 'Send',
      view: 'View',
      add: 'Add to cart',
      sponsored: 'Sponsored',
      sponsoredWhy: 'Why this is marked sponsored: the seller of “{title}” pays the store when you open this card, and it won this slot in an ad auction among products that match your search. Ads are labelled and never replace the results ranked for you.',
      outOfStock: 'Out of stock',
      ratings: 'ratings',
      stars: 'out of 5 stars',
      cart: 'Your cart',
      total: 'Total',
      checkout: 'Checkout',
      email: 'E-mail for the order confirmation',
      placeOrder: 'Place order',
      coupon: 'Coupon',
      expires: 'Valid until',
      typing: 'Assistant is typing…',
      connecting: 'Connecting…',
      online: 'Online',
      offline: 'Reconnecting…',
      products: 'Products',
      quickReplies: 'Suggestions',
      you: 'You',
      agent: 'Agent',
      bot: 'Assistant',
      handoff: { queued: 'Waiting for a support agent', assigned: 'A support agent has joined', resolved: 'The support conversation is closed' },
      queuePosition: 'position in queue',
      clicked: 'Viewing',
      added: 'Add to cart',
      checkingOut: 'Checkout',
      greeting: 'Hi! I can help you find products, compare them, track an order, or answer questions about shipping and returns.',
      starters: ['Help me find a gift', 'Where is my order?', 'How do returns work?', 'Talk to a person'],
      errors: {
        MESSAGE_TOO_LONG: 'That message is too long.',
        MESSAGE_EMPTY: 'Please type a message.',
        RATE_LIMITED: 'You are sending messages too fast; please wait a moment.',
        FORBIDDEN: 'This conversation could not be restored; a new one was started.',
        TOO_MANY_CONNECTIONS: 'Too many chat windows are open; please close one and try again.',
        BUSY: 'The assistant is very busy right now; please try again in a moment.',
        IDENTITY_INVALID: 'Your sign-in could not be confirmed; please reload the page.',
        UNKNOWN_CONVERSATION: 'Reconnecting, please try again.',
        TIMEOUT: 'No answer from the server; please try again.',
        DEFAULT: 'Something went wrong; please try again.',
      },
    },
    zh: {
      launcher: '与购物助手聊天',
      title: '购物助手',
      close: '关闭聊天',
      placeholder: '询问商品、订单、配送…',
      send: '发送',
      view: '查看',
      add: '加入购物车',
      sponsored: '广告',
      sponsoredWhy: '为什么标为广告：您打开这张卡片时，“{title}”的卖家会向商店付费；它在与您的搜索相符的商品中通过广告竞价获得了这个位置。广告都有标注，不会取代为您排序的结果。',
      outOfStock: '缺货',
      ratings: '条评价',
      stars: '星（满分 5 星）',
      cart: '购物车',
      total: '合计',
      checkout: '结算',
      email: '接收订单确认的电子邮箱',
      placeOrder: '提交订单',
      coupon: '优惠券',
      expires: '有效期至',
      typing: '助手正在输入…',
      connecting: '连接中…',
      online: '在线',
      offline: '正在重新连接…',
      products: '商品',
      quickReplies: '建议',
      you: '你',
      agent: '客服',
      bot: '助手',
      handoff: { queued: '正在等待人工客服', assigned: '人工客服已加入', resolved: '人工客服会话已结束' },
      queuePosition: '排队位置',
      clicked: '查看',
      added: '加入购物车',
      checkingOut: '结算',
      greeting: '您好！我可以帮您找商品、比较商品、查询订单，或解答配送和退货问题。',
      starters: ['帮我挑个礼物', '我的订单到哪了？', '怎么退货？', '转人工客服'],
      errors: {
        MESSAGE_TOO_LONG: '消息太长了。',
        MESSAGE_EMPTY: '请输入消息。',
        RATE_LIMITED: '发送太频繁，请稍候。',
        FORBIDDEN: '无法恢复此会话，已开始新的会话。',
        TOO_MANY_CONNECTIONS: '打开的聊天窗口太多，请关闭一个后重试。',
        BUSY: '助手现在非常繁忙，请稍后再试。',
        IDENTITY_INVALID: '无法确认您的登录状态，请刷新页面。',
        UNKNOWN_CONVERSATION: '正在重新连接，请重试。',
        TIMEOUT: '服务器没有响应，请重试。',
        DEFAULT: '出错了，请重试。',
      },
    },
  };

  var lang = /^zh\b/i.test(navigator.language || '') ? 'zh' : 'en';
  function t(key) {
    return LABELS[lang][key];
  }

  // ---- DOM helpers: the only way nodes are built. Text always goes through textContent. ----
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function button(className, text, onClick) {
    var b = el('button', className, text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }
  function safeHttpUrl(value) {
    if (typeof value !== 'string') return null;
    try {
      var u = new URL(value, location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  function formatPrice(cents, currency) {
    if (typeof cents !== 'number' || !isFinite(cents)) return '';
    try {
      return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { style: 'currency', currency: currency || 'USD' }).format(cents / 100);
    } catch (e) {
      return (cents / 100).toFixed(2) + ' ' + String(currency || '');
    }
  }
  function stars(rating) {
    var full = Math.max(0, Math.min(5, Math.round(rating)));
    return '★★★★★'.slice(0, full) + '☆☆☆☆☆'.slice(0, 5 - full);
  }

  // ---- Stylesheet ----
  if (!document.querySelector('link[data-shopbot]')) {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = server + '/widget/widget.css';
    link.setAttribute('data-shopbot', '');
    document.head.appendChild(link);
  }

  // ---- Skeleton ----
  var root = el('div', 'sb-root');
  root.id = 'shopbot-widget';

  var launcher = el('button', 'sb-launcher');
  launcher.type = 'button';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'shopbot-panel');
  // A chat-bubble icon drawn with SVG nodes (emoji fonts are missing on many systems).
  var SVG_NS = 'http://www.w3.org/2000/svg';
  // One 24x24 icon drawn by a single path, in the text colour (launcher, thumbs).
  function svgIcon(d, size, cls) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    if (cls) svg.setAttribute('class', cls);
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }
  var launcherIcon = svgIcon('M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z', 22, 'sb-launcher-icon');
  var launcherText = el('span', 'sb-launcher-text');
  launcher.appendChild(launcherIcon);
  launcher.appendChild(launcherText);

  var panel = el('section', 'sb-panel');
  panel.id = 'shopbot-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', 'shopbot-title');

  var header = el('header', 'sb-header');
  var titleBox = el('div', 'sb-title-box');
  var title = el('h2', 'sb-title');
  title.id = 'shopbot-title';
  var status = el('span', 'sb-status');
  status.setAttribute('role', 'status');
  titleBox.appendChild(title);
  titleBox.appendChild(status);
  var closeBtn = button('sb-close', '×', function () {
    setOpen(false);
  });
  header.appendChild(titleBox);
  header.appendChild(closeBtn);

  var handoffLine = el('div', 'sb-handoff');
  handoffLine.hidden = true;
  handoffLine.setAttribute('role', 'status');

  var list = el('div', 'sb-messages');
  list.setAttribute('role', 'log');
  list.setAttribute('aria-live', 'polite');
  list.setAttribute('aria-relevant', 'additions');
  list.tabIndex = 0;

  var typing = el('div', 'sb-typing');
  typing.hidden = true;
  typing.setAttribute('role', 'status');
  var typingDots = el('span', 'sb-typing-dots');
  typingDots.setAttribute('aria-hidden', 'true');
  for (var d = 0; d < 3; d++) typingDots.appendChild(el('span', 'sb-dot'));
  var typingText = el('span', 'sb-visually-hidden');
  typing.appendChild(typingDots);
  typing.appendChild(typingText);

  var chips = el('div', 'sb-chips');
  chips.setAttribute('role', 'group');

  var cartBox = el('div', 'sb-cart');
  cartBox.hidden = true;

  var form = el('form', 'sb-form');
  var input = el('input', 'sb-input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.maxLength = 2000;
  var inputLabel = el('label', 'sb-visually-hidden');
  inputLabel.htmlFor = 'shopbot-input';
  input.id = 'shopbot-input';
  var sendBtn = el('button', 'sb-send');
  sendBtn.type = 'submit';
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendBtn);

  panel.appendChild(header);
  panel.appendChild(handoffLine);
  panel.appendChild(list);
  panel.appendChild(typing);
  panel.appendChild(cartBox);
  panel.appendChild(chips);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---- Shopper feedback: thumbs on each bot reply, a 1-5 rating of the conversation. Posted over
  // REST with the conversation's token; the server keeps the first answer to each. ----
  var FEEDBACK_LABELS = {
    en: { up: 'Helpful', down: 'Not helpful', thanks: 'Thanks for the feedback', rate: 'Rate this chat', rateTitle: 'How was this conversation?', rateAgentTitle: 'How was the help from our support team?', star: 'stars', comment: 'Anything we could do better? (optional)', submit: 'Send rating', rated: 'Thanks, your rating was sent', failed: 'Could not send; please try again' },
    zh: { up: '有帮助', down: '没有帮助', thanks: '感谢您的反馈', rate: '评价本次对话', rateTitle: '这次对话体验如何？', rateAgentTitle: '这次人工客服的帮助如何？', star: '星', comment: '有什么可以改进的吗？（可选）', submit: '提交评价', rated: '谢谢，您的评价已提交', failed: '发送失败，请重试' },
  };
  function fb(key) {
    return FEEDBACK_LABELS[lang][key];
  }
  function postFeedback(body, done) {
    var ids = loadIds();
    if (!ids.conversationId) return done(false);
    fetch(server + '/v1/conversations/' + encodeURIComponent(ids.conversationId) + '/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + ids.token },
      body: JSON.stringify(body),
    }).then(
      function (res) { done(res.ok); },
      function () { done(false); }
    );
  }
  // An icon, not an emoji: not every system has a colour emoji font.
  function thumbIcon(down) {
    var svg = svgIcon('M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z', 14);
    if (down) svg.firstChild.setAttribute('transform', 'rotate(180 12 12)');
    return svg;
  }
  function renderThumbs(reply) {
    var row = el('div', 'sb-feedback');
    row.setAttribute('role', 'group');
    var note = el('span', 'sb-feedback-note');
    note.setAttribute('role', 'status');
    function vote(kind, chosen) {
      return function () {
        up.disabled = true;
        down.disabled = true;
        chosen.setAttribute('aria-pressed', 'true');
        postFeedback({ kind: 'reply', vote: kind, reply: String(reply.text).slice(0, 4000), intent: reply.intent }, function (ok) {
          note.textContent = ok ? fb('thanks') : fb('failed');
          if (!ok) { up.disabled = false; down.disabled = false; chosen.setAttribute('aria-pressed', 'false'); }
        });
      };
    }
    var up = button('sb-thumb sb-thumb-up', '', function () { vote('up', up)(); });
    var down = button('sb-thumb sb-thumb-down', '', function () { vote('down', down)(); });
    up.appendChild(thumbIcon(false));
    down.appendChild(thumbIcon(true));
    up.setAttribute('aria-label', fb('up'));
    down.setAttribute('aria-label', fb('down'));
    up.setAttribute('aria-pressed', 'false');
    down.setAttribute('aria-pressed', 'false');
    row.appendChild(up);
    row.appendChild(down);
    row.appendChild(note);
    return row;
  }
  // One form per subject: the assistant, and the person who helped after a handoff (the server knows who).
  var ratingBoxes = {};
  function showRating(subject) {
    subject = subject === 'agent' ? 'agent' : 'bot';
    var ratingBox = ratingBoxes[subject];
    if (ratingBox) return ratingBox.querySelector('button').focus();
    ratingBox = ratingBoxes[subject] = el('form', 'sb-rating');
    ratingBox.setAttribute('data-subject', subject);
    ratingBox.appendChild(el('div', 'sb-rating-title', fb(subject === 'agent' ? 'rateAgentTitle' : 'rateTitle')));
    var stars = el('div', 'sb-rating-stars');
    stars.setAttribute('role', 'radiogroup');
    var chosen = 0;
    var starButtons = [];
    [1, 2, 3, 4, 5].forEach(function (n) {
      var b = button('sb-star', '★', function () {
        chosen = n;
        starButtons.forEach(function (s, i) { s.setAttribute('aria-checked', i < n ? 'true' : 'false'); s.classList.toggle('sb-star-on', i < n); });
        send.disabled = false;
      });
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', 'false');
      b.setAttribute('aria-label', n + ' ' + fb('star'));
      b.setAttribute('data-rating', String(n));
      starButtons.push(b);
      stars.appendChild(b);
    });
    var comment = el('textarea', 'sb-rating-comment');
    comment.maxLength = 1000;
    comment.rows = 2;
    comment.placeholder = fb('comment');
    comment.setAttribute('aria-label', fb('comment'));
    var send = el('button', 'sb-btn sb-btn-primary sb-rating-send', fb('submit'));
    send.type = 'submit';
    send.disabled = true;
    var note = el('div', 'sb-feedback-note');
    note.setAttribute('role', 'status');
    ratingBox.appendChild(stars);
    ratingBox.appendChild(comment);
    ratingBox.appendChild(send);
    ratingBox.appendChild(note);
    ratingBox.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!chosen) return;
      send.disabled = true;
      postFeedback({ kind: 'conversation', rating: chosen, comment: comment.value.trim() || undefined, subject: subject }, function (ok) {
        note.textContent = ok ? fb('rated') : fb('failed');
        if (!ok) send.disabled = false;
        else comment.disabled = true;
      });
    });
    list.appendChild(ratingBox);
    scrollToEnd();
    starButtons[4].focus();
  }
  var rateBtn = button('sb-rate', '★', function () { showRating('bot'); });
  rateBtn.setAttribute('aria-label', fb('rate'));
  rateBtn.title = fb('rate');
  header.insertBefore(rateBtn, closeBtn);
  /** The end of a conversation (goodbye, thanks, a closed support chat) asks for the rating once. */
  function maybeAskRating(reply) {
    if (reply.handoff && reply.handoff.status === 'resolved' && reply.handoff.rate === 'agent') return showRating('agent');
    var ending = reply.intent === 'goodbye' || reply.intent === 'thanks' || (reply.handoff && reply.handoff.status === 'resolved');
    if (ending && !ratingBoxes.bot) showRating('bot');
  }

  var connection = 'connecting';
  function applyLabels() {
    launcherText.textContent = t('launcher');
    launcher.setAttribute('aria-label', t('launcher'));
    title.textContent = t('title');
    closeBtn.setAttribute('aria-label', t('close'));
    input.placeholder = t('placeholder');
    inputLabel.textContent = t('placeholder');
    sendBtn.textContent = t('send');
    typingText.textContent = t('typing');
    chips.setAttribute('aria-label', t('quickReplies'));
    status.textContent = t(connection === 'online' ? 'online' : connection === 'offline' ? 'offline' : 'connecting');
    root.setAttribute('lang', lang);
  }
  applyLabels();

  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    root.classList.toggle('sb-open', open);
    if (open) input.focus();
    else launcher.focus();
  }
  launcher.addEventListener('click', function () {
    setOpen(panel.hidden);
  });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') setOpen(false);
  });

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
  }

  // ---- Rendering ----
  // Links in a reply (a policy's source, the store's contact page): absolute http(s) URLs, and the
  // server's own /policies/ paths. Anything else stays text; every href passes safeHttpUrl.
  var LINK_RE = /(https?:\/\/[^\s<>()\u3000-\u303f\uff00-\uffef]+|\/policies\/[^\s<>()\u3000-\u303f\uff00-\uffef]+)/;
  function appendLinked(node, text) {
    String(text).split(LINK_RE).forEach(function (part, i) {
      if (!part) return;
      var trail = i % 2 === 1 ? (/[.,;:!?]+$/.exec(part) || [''])[0] : '';
      var target = i % 2 === 1 ? part.slice(0, part.length - trail.length) : '';
      var href = target ? safeHttpUrl(target.charAt(0) === '/' ? server + target : target) : null;
      if (!href) return node.appendChild(document.createTextNode(part));
      var a = el('a', 'sb-link', target);
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      node.appendChild(a);
      if (trail) node.appendChild(document.createTextNode(trail));
    });
  }

  function appendBubble(role, text) {
    var row = el('div', 'sb-msg sb-msg-' + role);
    var who = el('span', 'sb-visually-hidden', t(role === 'user' ? 'you' : role === 'agent' ? 'agent' : 'bot') + ': ');
    var bubble = el('div', 'sb-bubble');
    bubble.appendChild(who);
    if (role === 'user') bubble.appendChild(document.createTextNode(String(text)));
    else appendLinked(bubble, text);
    row.appendChild(bubble);
    list.appendChild(row);
    scrollToEnd();
    return row;
  }
  function appendNotice(text, kind) {
    var row = el('div', 'sb-notice' + (kind ? ' sb-notice-' + kind : ''), text);
    list.appendChild(row);
    scrollToEnd();
  }

  function renderCard(p) {
    var card = el('article', 'sb-card');
    card.setAttribute('data-product-id', String(p.id));
    var img = document.createElement('img');
    img.className = 'sb-card-img';
    img.alt = '';
    img.loading = 'lazy';
    img.referrerPolicy = 'no-referrer';
    // Catalog images live on an external CDN that may be unreachable: fall back to a neutral tile.
    img.addEventListener('error', function onError() {
      img.removeEventListener('error', onError);
      img.src = PLACEHOLDER;
    });
    img.src = safeHttpUrl(p.imageUrl) || PLACEHOLDER;
    card.appendChild(img);

    var body = el('div', 'sb-card-body');
    if (p.sponsored) {
      // The label opens to say why it is there; the title goes in as text, never as HTML.
      var ad = el('details', 'sb-sponsored');
      ad.appendChild(el('summary', 'sb-badge', t('sponsored')));
      ad.appendChild(el('p', 'sb-sponsored-why', t('sponsoredWhy').replace('{title}', String(p.title).slice(0, 120))));
      body.appendChild(ad);
    }
    body.appendChild(el('h3', 'sb-card-title', p.title));
    if (p.brand) body.appendChild(el('div', 'sb-card-brand', p.brand));
    var price = formatPrice(p.priceCents, p.currency);
    if (price) body.appendChild(el('div', 'sb-card-price', price));
    if (typeof p.rating === 'number') {
      var rating = el('div', 'sb-card-rating');
      var label = p.rating.toFixed(1) + ' ' + t('stars') + (typeof p.ratingCount === 'number' ? ', ' + p.ratingCount.toLocaleString() + ' ' + t('ratings') : '');
      rating.setAttribute('aria-label', label);
      rating.setAttribute('role', 'img');
      rating.appendChild(el('span', 'sb-stars', stars(p.rating)));
      if (typeof p.ratingCount === 'number') rating.appendChild(el('span', 'sb-rating-count', '(' + p.ratingCount.toLocaleString() + ')'));
      body.appendChild(rating);
    }
    if (p.inStock === false) body.appendChild(el('div', 'sb-card-stock', t('outOfStock')));

    var actions = el('div', 'sb-card-actions');
    var view = button('sb-btn sb-btn-view', t('view'), function () {
      sendAction({ type: 'click', productId: p.id, slateId: p.slateId, position: p.position }, t('clicked') + ': ' + shortTitle(p.title));
    });
    var add = button('sb-btn sb-btn-primary sb-btn-add', t('add'), function () {
      sendAction({ type: 'add_to_cart', productId: p.id, quantity: 1, slateId: p.slateId, position: p.position }, t('added') + ': ' + shortTitle(p.title));
    });
    view.setAttribute('aria-label', t('view') + ': ' + p.title);
    add.setAttribute('aria-label', t('add') + ': ' + p.title);
    if (p.inStock === false) add.disabled = true;
    actions.appendChild(view);
    actions.appendChild(add);
    body.appendChild(actions);
    card.appendChild(body);
    return card;
  }

  function renderCart(cart) {
    while (cartBox.firstChild) cartBox.removeChild(cartBox.firstChild);
    if (!cart || !cart.lines || cart.lines.length === 0) {
      cartBox.hidden = true;
      return;
    }
    cartBox.hidden = false;
    cartBox.appendChild(el('h3', 'sb-cart-title', t('cart')));
    var ul = el('ul', 'sb-cart-lines');
    cart.lines.forEach(function (line) {
      var li = el('li', 'sb-cart-line');
      li.appendChild(el('span', 'sb-cart-line-title', line.quantity + ' × ' + line.title));
      li.appendChild(el('span', 'sb-cart-line-price', formatPrice(line.unitPriceCents * line.quantity, line.currency)));
      ul.appendChild(li);
    });
    cartBox.appendChild(ul);
    var total = el('div', 'sb-cart-total');
    total.appendChild(el('span', null, t('total')));
    total.appendChild(el('strong', null, formatPrice(cart.totalCents, cart.currency)));
    cartBox.appendChild(total);

    var checkoutForm = el('form', 'sb-checkout-form');
    checkoutForm.hidden = true;
    var email = el('input', 'sb-input sb-email');
    email.type = 'email';
    email.id = 'shopbot-email';
    email.autocomplete = 'email';
    email.maxLength = 320;
    email.placeholder = t('email');
    var emailLabel = el('label', 'sb-visually-hidden', t('email'));
    emailLabel.htmlFor = 'shopbot-email';
    var place = el('button', 'sb-btn sb-btn-primary sb-place-order', t('placeOrder'));
    place.type = 'submit';
    checkoutForm.appendChild(emailLabel);
    checkoutForm.appendChild(email);
    checkoutForm.appendChild(place);
    checkoutForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var value = email.value.trim();
      if (value && !email.checkValidity()) {
        email.reportValidity();
        return;
      }
      sendAction(value ? { type: 'checkout', email: value } : { type: 'checkout' }, t('checkingOut'));
    });
    var checkout = button('sb-btn sb-btn-primary sb-checkout', t('checkout'), function () {
      checkout.hidden = true;
      checkoutForm.hidden = false;
      email.focus();
    });
    cartBox.appendChild(checkout);
    cartBox.appendChild(checkoutForm);
  }

  function renderChips(quickReplies) {
    while (chips.firstChild) chips.removeChild(chips.firstChild);
    (quickReplies || []).forEach(function (qr) {
      chips.appendChild(
        button('sb-chip', qr.label, function () {
          sendText(qr.text);
        }),
      );
    });
  }

  function renderHandoff(handoff) {
    if (!handoff) return;
    var text = LABELS[lang].handoff[handoff.status] || '';
    if (handoff.status === 'queued' && typeof handoff.queuePosition === 'number') text += ' (' + t('queuePosition') + ' ' + handoff.queuePosition + ')';
    handoffLine.textContent = text;
    handoffLine.hidden = handoff.status === 'resolved';
    if (text) appendNotice(text, 'handoff');
  }

  function renderCoupon(coupon) {
    var box = el('div', 'sb-coupon');
    box.appendChild(el('div', 'sb-coupon-label', t('coupon')));
    box.appendChild(el('code', 'sb-coupon-code', coupon.code));
    box.appendChild(el('div', 'sb-coupon-desc', coupon.description));
    if (coupon.expiresAt) {
      var when = new Date(coupon.expiresAt);
      if (!isNaN(when.getTime())) box.appendChild(el('div', 'sb-coupon-exp', t('expires') + ' ' + when.toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-US')));
    }
    list.appendChild(box);
  }

  /** Renders a bot or agent reply. Quick replies belong to the latest reply only. */
  function renderReply(reply, role, isLatest) {
    if (!reply || reply.silent) return;
    if (reply.lang === 'en' || reply.lang === 'zh') {
      if (reply.lang !== lang) {
        lang = reply.lang;
        applyLabels();
      }
    }
    if (reply.text) appendBubble(role, reply.text);
    if (reply.text && role === 'bot') list.appendChild(renderThumbs(reply));
    if (reply.products && reply.products.length > 0) {
      var row = el('div', 'sb-cards');
      row.setAttribute('role', 'list');
      row.setAttribute('aria-label', t('products'));
      reply.products.forEach(function (p) {
        var card = renderCard(p);
        card.setAttribute('role', 'listitem');
        row.appendChild(card);
      });
      list.appendChild(row);
    }
    if (reply.coupon) renderCoupon(reply.coupon);
    if (reply.handoff) renderHandoff(reply.handoff);
    if (reply.cart) renderCart(reply.cart);
    if (isLatest) renderChips(reply.quickReplies);
    if (isLatest) maybeAskRating(reply);
    scrollToEnd();
  }

  function greet() {
    appendBubble('bot', t('greeting'));
    renderChips(
      t('starters').map(function (label) {
        return { label: label, text: label };
      }),
    );
  }

  function renderHistory(history) {
    while (list.firstChild) list.removeChild(list.firstChild);
    renderChips([]);
    var lastBot = -1;
    history.forEach(function (entry, i) {
      if (entry.reply) lastBot = i;
    });
    history.forEach(function (entry, i) {
      if (entry.reply) renderReply(entry.reply, entry.role === 'agent' ? 'agent' : 'bot', i === lastBot);
      else if (entry.role === 'system') appendNotice(entry.text);
      else if (entry.text) appendBubble(entry.role === 'user' ? 'user' : entry.role === 'agent' ? 'agent' : 'bot', entry.text);
    });
  }

  function showError(error) {
    var errors = LABELS[lang].errors;
    appendNotice(errors[error && error.code] || errors.DEFAULT, 'error');
  }

  // ---- Connection ----
  var socket = null;
  var ready = false;

  // The store's page may pass a signed identity for a logged-in customer (data-identity JSON, or
  // window.shopbotIdentity); without one the shopper is a guest. The server checks the signature.
  function readIdentity() {
    try {
      var attr = script && script.getAttribute('data-identity');
      var value = attr ? JSON.parse(attr) : window.shopbotIdentity;
      return value && typeof value === 'object' ? value : undefined;
    } catch (e) {
      return undefined;
    }
  }
  var identity = readIdentity();

  // The conversation id and the token the server issued for it; nothing else is kept.
  function loadIds() {
    try {
      var raw = localStorage.getItem(STORAGE_KEY);
      var ids = raw ? JSON.parse(raw) : null;
      return ids && typeof ids.conversationId === 'string' && typeof ids.token === 'string' ? ids : {};
    } catch (e) {
      return {}; // Storage disabled or corrupt: start a fresh conversation.
    }
  }
  function saveIds(ids) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ conversationId: ids.conversationId, token: ids.token }));
    } catch (e) {
      /* Storage disabled: the conversation lasts as long as the page. */
    }
  }
  function forgetIds() {
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* nothing kept */
    }
  }

  function setConnection(state) {
    connection = state;
    root.setAttribute('data-state', state);
    sendBtn.disabled = state !== 'online';
    applyLabels();
  }

  /** `notice`: an error to show once the (new) conversation is on screen. */
  function hello(ids, notice) {
    var payload = { locale: navigator.language || 'en' };
    if (ids.conversationId) {
      payload.conversationId = ids.conversationId;
      payload.token = ids.token;
    }
    if (identity) payload.identity = identity;
    socket.timeout(REPLY_TIMEOUT_MS).emit('hello', payload, function (err, res) {
      if (err) return setConnection('offline');
      if (res && res.error) {
        // An expired, revoked or foreign conversation (or another shopper's): start over rather
        // than lock the shopper out. Limits and bad identities are shown as they are.
        if (ids.conversationId && /^(TOKEN_|FORBIDDEN|UNKNOWN_CONVERSATION)/.test(res.error.code)) {
          forgetIds();
          return hello({}, { code: 'FORBIDDEN' });
        }
        return showError(res.error);
      }
      saveIds(res);
      if (res.limits && res.limits.maxMessageChars > 0) input.maxLength = res.limits.maxMessageChars;
      root.setAttribute('data-conversation-id', res.conversationId);
      renderHistory(res.history || []);
      // A new conversation opens with a greeting and starter suggestions (not stored: nothing was said yet).
      if (!(res.history || []).length) greet();
      if (notice) showError(notice);
      ready = true;
      setConnection('online');
    });
  }

  function emitMessage(payload) {
    if (!ready) {
      showError({ code: 'UNKNOWN_CONVERSATION' });
      return;
    }
    socket.timeout(REPLY_TIMEOUT_MS).emit('message', payload, function (err, reply) {
      if (err) return showError({ code: 'TIMEOUT' });
      if (reply && reply.error) return showError(reply.error);
      renderReply(reply, 'bot', true);
    });
  }

  function sendText(text) {
    var value = String(text).trim();
    if (!value) return;
    appendBubble('user', value);
    renderChips([]);
    emitMessage({ text: value });
  }

  function shortTitle(title) {
    var s = String(title);
    return s.length > 48 ? s.slice(0, 47) + '…' : s;
  }

  function sendAction(action, echo) {
    appendNotice(echo, 'action');
    emitMessage({ text: '', action: action });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var value = input.value;
    if (!value.trim()) return;
    input.value = '';
    sendText(value);
  });

  function connect() {
    socket = window.io(server, { transports: ['websocket', 'polling'] });
    socket.on('connect', function () {
      // Every (re)connection starts with hello: it re-joins the conversation and restores history.
      hello(loadIds());
    });
    socket.on('connect_error', function (err) {
      // Refused by the server (limits, origin): say why instead of spinning silently.
      if (err && err.data && err.data.code) showError({ code: err.data.code });
    });
    socket.on('disconnect', function () {
      ready = false;
      typing.hidden = true;
      setConnection('offline');
    });
    socket.on('typing', function (state) {
      typing.hidden = !(state && state.on);
      if (!typing.hidden) scrollToEnd();
    });
    socket.on('push', function (message) {
      renderReply(message, message && message.from === 'agent' ? 'agent' : 'bot', true);
    });
  }

  function mount() {
    document.body.appendChild(root);
    setConnection('connecting');
    if (typeof window.io === 'function') return connect();
    var loader = document.createElement('script');
    loader.src = server + '/socket.io/socket.io.js';
    loader.async = true;
    loader.addEventListener('load', connect);
    loader.addEventListener('error', function () {
      setConnection('offline');
    });
    document.head.appendChild(loader);
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
