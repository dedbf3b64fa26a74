/** Inbound Slack payloads shared by the channel and security tests. */

/** A click on a product's "Add to cart" button in a channel thread (an interactivity block action). */
export const ADD_TO_CART_CLICK = {
  type: 'block_actions',
  team: { id: 'T1' },
  user: { id: 'U1' },
  channel: { id: 'C1' },
  message: { ts: '1764331201.000100', thread_ts: '1764331200.000100' },
  actions: [{ action_id: 'shopbot_add_to_cart', value: JSON.stringify({ p: 'B001', s: 'slate-1', i: 0 }) }],
};
