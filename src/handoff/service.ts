/**
 * The handoff stage: detects when a person is needed, opens a routed ticket with a brief for the
 * agent, relays the shopper's messages while a human owns the conversation, and carries agent
 * replies, take-overs, hand-backs and resolutions back into the conversation. Agents reach it from
 * the web console (channels/web/console) and from Slack/Teams support desks (SupportDesk).
 */
import type { ConversationState, StateStore } from '../dialogue/index.js';
import { ShopbotError } from '../errors.js';
import type { FunnelEventInput } from '../funnel/index.js';
import { ChannelSchema, type Lang, type OutboundMessage } from '../messages.js';
import type { NluResult } from '../nlu/index.js';
import { render, type Templates } from '../templates/index.js';
import type { StoreConnector } from '../store/index.js';
import { PRIORITIES, type HandoffFile, type Priority, type Team, type TriggerKind } from './config.js';
import type { HandoffQueue, ThreadStore, Ticket, TicketNote } from './queue.js';
import { cannedFor, fillCanned, placeholderValues } from './canned.js';
import { AGENT_COMMAND_HELP, type AgentCommand } from './commands.js';
import { maskPersonalData, redactPaymentData, sanitizeText } from '../privacy/index.js';
import { PRIORITY_RANK, priorityOf, route, topicOf, type RoutingParse } from './routing.js';
import { detectTrigger, frustrationStreak, type Trigger } from './triggers.js';
import { buildBrief, type ShopperBrief } from './summary.js';
import { formatOpening, nextOpening, serviceLevel, type ServiceLevel } from './service-levels.js';

export type PushMessage = OutboundMessage & { from: 'bot' | 'agent' };

/** An escalation as a support channel (Slack, Teams) posts it. */
export interface Escalation {
  /** The shopper's conversation (any channel: web widget, Teams, Slack). */
  readonly conversationId: string;
  readonly summary: string;
  readonly team?: string;
  readonly priority: 'low' | 'normal' | 'high' | 'urgent';
  readonly shopper: { readonly userId?: string; readonly name?: string; readonly email?: string; readonly channel?: string };
}

/** A support channel that receives escalations as threads (implemented in channels/slack and channels/teams). */
export interface SupportDesk {
  /** Posts the escalation as a new thread in the support channel. */
  postEscalation(e: Escalation): Promise<{ threadRef: string }>;
  /** Mirrors a shopper's message into the escalation's thread. Unknown conversations are an error. */
  postShopperMessage(conversationId: string, text: string): Promise<void>;
  /** Marks the thread closed (after a hand-back or resolution) so agent replies stop relaying. */
  closeEscalation(conversationId: string, note: string): Promise<void>;
  /** Posts an internal note into the escalation's thread (agents only see threads). */
  postNote?(conversationId: string, agentId: string, text: string): Promise<void>;
  /** Posts a service-level breach alert to the team's channel (or the support channel). */
  postAlert?(alert: { team: Team; text: string }): Promise<void>;
}

/** What a desk calls back: an agent's reply in the thread, or "hand back to bot". */
export interface SupportCallbacks {
  agentReply(conversationId: string, agentId: string, text: string): Promise<void>;
  handBack(conversationId: string, agentId: string): Promise<void>;
  /** A thread command (src/handoff/commands.ts); returns what to say in the thread, if anything. FORBIDDEN as for replies. */
  command(conversationId: string, agentId: string, command: AgentCommand): Promise<string | undefined>;
}

/** What a turn asks of the handoff stage: where escalations go and where shopper messages go while a human owns the conversation. */
export interface HandoffHooks {
  /** Opens a routed ticket; no ticketId means nobody can take it (the bot keeps the conversation). */
  escalate(state: ConversationState, reason: string, lastMessage?: string, parse?: RoutingParse): Promise<{ team?: string; queuePosition?: number; ticketId?: string; priority?: string; afterHours?: boolean; opensAt?: string }>;
  relayShopperMessage(state: ConversationState, text: string): Promise<void>;
  /** Escalation triggers on the shopper's message; also tracks the frustration streak. */
  detect?(input: { text: string; nlu: NluResult; state: ConversationState; cartValueCents?: number }): { trigger?: { kind: string; ruleId?: string }; negativeStreak: number };
}

export interface HandoffServiceDeps {
  readonly queue: HandoffQueue;
  readonly states: StateStore;
  readonly store: StoreConnector;
  readonly funnel: { log(...events: FunnelEventInput[]): void };
  readonly templates: Templates;
  readonly config: HandoffFile;
  readonly highValueCartCents: number;
  readonly now: () => number;
  readonly newId: () => string;
  /**
   * The Slack/Teams support desks that also receive escalations: the app's channels, read when an
   * escalation happens (the channels open after this service, since their callbacks are its own).
   */
  readonly desks?: () => readonly SupportDesk[];
  /** Delivers a message to the shopper wherever they are: the widget's room, their Teams or Slack conversation. */
  readonly push?: (conversationId: string, message: PushMessage) => void;
  /** False when nobody can answer (no console logins, no desks): then the bot keeps the conversation. */
  readonly hasAgents: () => boolean;
  readonly log?: { warn(obj: object, msg?: string): void };
}

export type QueueEvent =
  | { type: 'queue_changed' }
  | { type: 'shopper_message'; conversationId: string; text: string; ts: number; agentId?: string };

export interface TicketView extends Ticket {
  readonly position?: number;
  readonly priorityName: Priority;
  readonly brief: ShopperBrief;
  /** Timers against the team's targets (src/handoff/service-levels.ts). */
  readonly serviceLevel: ServiceLevel;
  /** Queued after hours: when the team opens (the shopper was told). */
  readonly opensAt?: number;
}

const priorityName = (rank: number): Priority => PRIORITIES[Math.max(0, Math.min(3, rank))]!;

/**
 * What a shopper reads for an agent without a display name, shaped for the "{agent} from our support
 * team …" and "客服 {agent} …" templates: an account id (a login, a Slack or Teams id) is not for shoppers.
 */
const UNNAMED_AGENT: Readonly<Record<Lang, string>> = { en: 'Someone', zh: '专员' };

export class HandoffService implements HandoffHooks {
  private readonly listeners = new Set<(e: QueueEvent) => void>();
  readonly callbacks: SupportCallbacks;

  constructor(private readonly deps: HandoffServiceDeps) {
    this.callbacks = {
      agentReply: async (conversationId, agentId, text) => {
        const ticket = await this.deps.queue.openFor(conversationId);
        if (ticket?.status === 'queued') await this.take(ticket.id, agentId);
        await this.reply(conversationId, agentId, text);
      },
      handBack: (conversationId, agentId) => this.handBack(conversationId, agentId),
      command: (conversationId, agentId, command) => this.runCommand(conversationId, agentId, command),
    };
  }

  /**
   * Where a Slack/Teams desk remembers its threads: the queue's store, so a restart or another
   * server finds them. 'teams-references': which Teams conversation (its serialised reference) a
   * shopper's conversation is, for proactive replies from any server.
   */
  threads(desk: 'slack' | 'teams' | 'teams-references'): ThreadStore {
    return this.deps.queue.threads(desk);
  }

  subscribe(listener: (e: QueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: QueueEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Checks the message for escalation triggers; also returns the updated frustration streak. */
  detect(input: { text: string; nlu: NluResult; state: ConversationState; cartValueCents?: number }): { trigger?: Trigger; negativeStreak: number } {
    const trigger = detectTrigger(
      { text: input.text, nlu: input.nlu, negativeStreak: input.state.negativeStreak, ...(input.cartValueCents !== undefined ? { cartValueCents: input.cartValueCents } : {}) },
      { rules: this.deps.config.rules, disabled: this.deps.config.disabledTriggers, highValueCartCents: this.deps.highValueCartCents },
    );
    return { ...(trigger ? { trigger } : {}), negativeStreak: frustrationStreak(input.text, input.state.negativeStreak) };
  }

  /** Opens (or returns the open) ticket for the conversation. Without agents, opens nothing. */
  async escalate(state: ConversationState, reason: string, lastMessage?: string, parse?: RoutingParse): Promise<{ team?: string; queuePosition?: number; ticketId?: string; priority?: Priority; afterHours?: boolean; opensAt?: string }> {
    if (!this.deps.hasAgents()) return {};
    const existing = await this.deps.queue.openFor(state.conversationId);
    if (existing) return { team: existing.team, queuePosition: await this.deps.queue.position(existing), ticketId: existing.id, priority: priorityName(existing.priority) };
    const now = this.deps.now();
    const [kind, ruleId] = reason.split(':') as [TriggerKind, string | undefined];
    const rule = ruleId ? this.deps.config.rules.find((r) => r.id === ruleId) : undefined;
    const priority = priorityOf(kind, { negativeStreak: state.negativeStreak, ...(parse ? { parse } : {}), ...(rule ? { rulePriority: rule.priority } : {}) });
    const topic = topicOf(kind, { ...(parse ? { parse } : {}), ...(state.lastIntent ? { lastIntent: state.lastIntent } : {}), ...(state.task ? { taskKind: state.task.kind } : {}) });
    const routed = route({ topic, lang: state.lang, nowMs: now, teams: this.deps.config.teams, load: await this.deps.queue.load(), ...(rule?.team ? { preferTeam: rule.team } : {}) });
    const brief = await buildBrief({ state, reason, priority, topic, team: routed.team.name, states: this.deps.states, store: this.deps.store, ...(lastMessage ? { lastMessage } : {}), ...(parse ? { parse } : {}) });
    const ticket = await this.deps.queue.create({
      id: `T-${this.deps.newId()}`,
      conversationId: state.conversationId,
      userId: state.userId,
      channel: state.channel,
      team: routed.team.id,
      priority: PRIORITY_RANK[priority],
      reason,
      lang: state.lang,
      summary: JSON.stringify(brief),
      requestedAt: now,
      topic,
    });
    const queuePosition = await this.deps.queue.position(ticket);
    this.event(state, ticket, 'queued', { priority, queuePosition });
    for (const desk of this.deps.desks?.() ?? []) {
      const e: Escalation = {
        conversationId: state.conversationId,
        summary: brief.text,
        team: routed.team.name,
        priority,
        shopper: { userId: state.userId, channel: state.channel, ...(state.customer?.email ?? state.contactEmail ? { email: state.customer?.email ?? state.contactEmail } : {}) },
      };
      await desk.postEscalation(e).catch((err: unknown) => this.deps.log?.warn({ err, conversationId: state.conversationId }, 'handoff: support desk did not take the escalation'));
    }
    this.emit({ type: 'queue_changed' });
    const opensAt = routed.afterHours ? formatOpening(routed.team, nextOpening(routed.team, now), state.lang) : undefined;
    return { team: routed.team.name, queuePosition, ticketId: ticket.id, priority, afterHours: routed.afterHours, ...(opensAt ? { opensAt } : {}) };
  }

  async relayShopperMessage(state: ConversationState, text: string): Promise<void> {
    // Support desks keep their threads (Slack, Teams) beyond our retention, so they get the masked text.
    const clean = maskPersonalData(text);
    const ticket = await this.deps.queue.openFor(state.conversationId);
    this.emit({ type: 'shopper_message', conversationId: state.conversationId, text: clean, ts: this.deps.now(), ...(ticket?.agentId ? { agentId: ticket.agentId } : {}) });
    for (const desk of this.deps.desks?.() ?? []) {
      await desk.postShopperMessage(state.conversationId, clean).catch((err: unknown) => this.deps.log?.warn({ err }, 'handoff: relay to support desk failed'));
    }
  }

  /** Tickets an agent may see: their teams' queue (with positions) and what they hold. */
  async queueFor(agentTeams: readonly string[] | undefined): Promise<TicketView[]> {
    const tickets = await this.deps.queue.list(agentTeams);
    return Promise.all(tickets.map(async (t) => this.view(t)));
  }

  private async view(t: Ticket): Promise<TicketView> {
    const sl = serviceLevel(t, this.team(t.team), this.deps.now());
    return {
      ...t,
      priorityName: priorityName(t.priority),
      brief: JSON.parse(t.summary) as ShopperBrief,
      serviceLevel: sl,
      ...(sl.startsAt > t.requestedAt ? { opensAt: sl.startsAt } : {}),
      ...(t.status === 'queued' ? { position: await this.deps.queue.position(t) } : {}),
    };
  }

  private team(id: string): Team | undefined {
    return this.deps.config.teams.find((t) => t.id === id);
  }

  /**
   * Alerts each breached target once (across servers: the store records it) to the team's Slack or
   * Teams channel. Snoozed tickets wait. Run every minute by the app; returns the alerts sent.
   */
  async checkServiceLevels(): Promise<{ ticketId: string; kind: 'first_response' | 'resolution' }[]> {
    const now = this.deps.now();
    const sent: { ticketId: string; kind: 'first_response' | 'resolution' }[] = [];
    for (const t of await this.deps.queue.list(undefined, 1000)) {
      const team = this.team(t.team);
      if (!team) continue;
      const sl = serviceLevel(t, team, now);
      if (sl.snoozed) continue;
      const due: ('first_response' | 'resolution')[] = [];
      if (sl.firstResponseBreached && t.firstResponseAt === undefined) due.push('first_response');
      if (sl.resolutionBreached) due.push('resolution');
      for (const kind of due) {
        if (t.breachAlerted.includes(kind) || !(await this.deps.queue.markBreachAlerted(t.id, kind))) continue;
        const minutes = kind === 'first_response' ? team.targets.firstResponseMinutes : team.targets.resolutionMinutes;
        const who = t.agentId ? `held by ${t.agentId}` : 'nobody has taken it';
        const text = `Service level breached: ticket ${t.id} (${priorityName(t.priority)}, ${t.reason}) has had no ${kind === 'first_response' ? 'first reply' : 'resolution'} within ${minutes} minutes; ${who}.`;
        for (const desk of this.deps.desks?.() ?? []) await desk.postAlert?.({ team, text }).catch((err: unknown) => this.deps.log?.warn({ err }, 'handoff: breach alert failed'));
        sent.push({ ticketId: t.id, kind });
      }
    }
    if (sent.length) this.emit({ type: 'queue_changed' });
    return sent;
  }

  async take(ticketId: string, agentId: string, maxConcurrent = Infinity): Promise<{ ticket: TicketView; transcript: { role: string; text: string; ts: number }[] }> {
    if ((await this.deps.queue.assignedCount(agentId)) >= maxConcurrent) throw new ShopbotError('CONFLICT', `agent ${agentId} already holds ${maxConcurrent} conversations`);
    const now = this.deps.now();
    const ticket = await this.deps.queue.assign(ticketId, agentId, now);
    const state = await this.mustLoad(ticket.conversationId);
    await this.deps.states.save({ ...state, owner: 'agent', ...(state.handoff ? { handoff: { ...state.handoff, agentId } } : {}) }, now);
    this.event(state, ticket, 'assigned', { durationMs: now - ticket.requestedAt });
    const text = render(this.deps.templates, state.lang as Lang, 'agent_joined', { agent: this.shopperName(agentId, state.lang as Lang) });
    await this.deps.states.appendTranscript(ticket.conversationId, [{ role: 'system', text, ts: now }]);
    this.send(ticket.conversationId, state.lang, text, 'agent', { status: 'assigned', reason: ticket.reason, team: ticket.team });
    this.emit({ type: 'queue_changed' });
    const transcript = (await this.deps.states.transcript(ticket.conversationId, 100)).map((r) => ({ role: r.role, text: maskPersonalData(r.text), ts: r.ts }));
    return { ticket: await this.view(ticket), transcript };
  }

  /** The agent holding the ticket, or an admin; a queued ticket must be taken before anyone replies. */
  async reply(conversationId: string, agentId: string, text: string): Promise<void> {
    const ticket = await this.deps.queue.openFor(conversationId);
    if (!ticket || ticket.status !== 'assigned' || !this.mayAct(ticket, agentId)) throw new ShopbotError('FORBIDDEN', `agent ${agentId} does not hold conversation ${conversationId}`);
    // The shopper reads the reply as written (an agent may give the returns address); the transcript keeps it masked.
    const clean = redactPaymentData(sanitizeText(text).trim()).slice(0, 4000);
    if (!clean) throw new ShopbotError('MESSAGE_EMPTY', 'the reply is empty');
    const now = this.deps.now();
    const state = await this.mustLoad(conversationId);
    await this.deps.states.appendTranscript(conversationId, [{ role: 'agent', text: maskPersonalData(clean), ts: now }]);
    this.deps.funnel.log({ id: `${ticket.id}:agent:${now}:${clean.length}`, ts: now, channel: this.channel(state), conversationId, userId: state.userId, type: 'message', role: 'agent', chars: clean.length });
    await this.deps.queue.markFirstResponse(ticket.id, now);
    this.send(conversationId, state.lang, clean, 'agent');
  }

  /** The canned replies for the conversation's ticket, filled from its brief where they can be. */
  async cannedReplies(conversationId: string, agentId: string): Promise<{ id: string; title: string; text?: string }[]> {
    const ticket = await this.mustAct(conversationId, agentId);
    return cannedFor(this.deps.config.canned, ticket.lang, this.placeholders(ticket, agentId));
  }

  /** Sends a canned reply, filled from the brief, as the agent's reply. */
  async sendCanned(conversationId: string, agentId: string, cannedId: string): Promise<string> {
    const ticket = await this.mustAct(conversationId, agentId);
    const text = fillCanned(this.deps.config.canned, cannedId, ticket.lang, this.placeholders(ticket, agentId));
    await this.reply(conversationId, agentId, text);
    return text;
  }

  /** An internal note on the ticket: agents see it in the console and the support thread; the shopper never does. */
  async addNote(conversationId: string, agentId: string, text: string): Promise<TicketNote> {
    const ticket = await this.mustAct(conversationId, agentId, { queuedToo: true });
    const clean = maskPersonalData(redactPaymentData(sanitizeText(text).trim())).slice(0, 2000);
    if (!clean) throw new ShopbotError('MESSAGE_EMPTY', 'the note is empty');
    const note = { id: `N-${this.deps.newId()}`, ticketId: ticket.id, conversationId, agentId, text: clean, ts: this.deps.now() };
    await this.deps.queue.addNote({ ...note, userId: ticket.userId });
    for (const desk of this.deps.desks?.() ?? []) await desk.postNote?.(conversationId, agentId, clean).catch((err: unknown) => this.deps.log?.warn({ err }, 'handoff: note to support desk failed'));
    this.emit({ type: 'queue_changed' });
    return note;
  }

  async notes(conversationId: string, agentId: string): Promise<TicketNote[]> {
    const ticket = await this.mustAct(conversationId, agentId, { queuedToo: true });
    return this.deps.queue.notes(ticket.id);
  }

  /**
   * Hands the ticket to another team (back in that team's queue) or to a named agent (who holds it
   * at once), with a note for whoever picks it up. The shopper stays with a person throughout.
   */
  async transfer(conversationId: string, agentId: string, to: { team: string } | { agentId: string }, note?: string): Promise<TicketView> {
    const ticket = await this.mustAct(conversationId, agentId, { queuedToo: true });
    const agents = this.deps.config.agents;
    let target: { team: string } | { agentId: string; team?: string };
    if ('team' in to) {
      if (!this.deps.config.teams.some((t) => t.id === to.team)) throw new ShopbotError('NOT_FOUND', `no team ${to.team}`);
      target = to;
    } else {
      if (!Object.hasOwn(agents, to.agentId)) throw new ShopbotError('NOT_FOUND', `no agent ${to.agentId}`);
      const teams = agents[to.agentId]?.teams;
      target = { agentId: to.agentId, ...(teams?.length && !teams.includes(ticket.team) ? { team: teams[0]! } : {}) };
    }
    // The note first: once moved, the ticket may be someone else's and the sender no longer may add to it.
    if (note?.trim()) await this.addNote(conversationId, agentId, `Transferred${'team' in to ? ` to ${to.team}` : ` to ${to.agentId}`}: ${note}`);
    const moved = await this.deps.queue.transfer(ticket.id, target, this.deps.now());
    const state = await this.mustLoad(conversationId);
    const now = this.deps.now();
    if (state.handoff) {
      const { agentId: _previous, ...handoff } = state.handoff;
      await this.deps.states.save({ ...state, handoff: { ...handoff, team: moved.team, ...(moved.agentId ? { agentId: moved.agentId } : {}) } }, now);
    }
    // The shopper is told who takes over (the note stays on the desk).
    const teamName = this.team(moved.team)?.name ?? moved.team;
    const text = moved.agentId
      ? render(this.deps.templates, state.lang as Lang, 'handoff_transferred_agent', { agent: this.shopperName(moved.agentId, state.lang as Lang) })
      : render(this.deps.templates, state.lang as Lang, 'handoff_transferred_team', { team: teamName, position: String(await this.deps.queue.position(moved)) });
    await this.deps.states.appendTranscript(conversationId, [{ role: 'system', text, ts: now }]);
    this.send(conversationId, state.lang, text, 'agent', { status: moved.status === 'assigned' ? 'assigned' : 'queued', reason: moved.reason, team: teamName, ...(moved.status === 'queued' ? { queuePosition: await this.deps.queue.position(moved) } : {}) });
    this.emit({ type: 'queue_changed' });
    return this.view(moved);
  }

  async setTags(conversationId: string, agentId: string, tags: readonly string[]): Promise<TicketView> {
    const ticket = await this.mustAct(conversationId, agentId, { queuedToo: true });
    const updated = await this.deps.queue.setTags(ticket.id, tags);
    this.emit({ type: 'queue_changed' });
    return this.view(updated);
  }

  /** Hides the ticket's timers from the queue until then (waiting on the shopper or the warehouse); 0 minutes wakes it. */
  async snooze(conversationId: string, agentId: string, minutes: number): Promise<TicketView> {
    const ticket = await this.mustAct(conversationId, agentId);
    const updated = await this.deps.queue.snooze(ticket.id, minutes > 0 ? this.deps.now() + minutes * 60_000 : undefined);
    this.emit({ type: 'queue_changed' });
    return this.view(updated);
  }

  /**
   * A Slack/Teams thread command, under the same rules as the console's events. Sending a canned
   * reply takes a queued ticket first, as a typed thread reply does. Refusals the agent can act on
   * (unknown team, unfillable reply, bad reason) come back as the thread's answer; FORBIDDEN is thrown.
   */
  async runCommand(conversationId: string, agentId: string, cmd: AgentCommand): Promise<string | undefined> {
    try {
      return await this.command(conversationId, agentId, cmd);
    } catch (err) {
      if (err instanceof ShopbotError && ['BAD_REQUEST', 'NOT_FOUND', 'CONFLICT', 'MESSAGE_EMPTY'].includes(err.code)) return `Not done: ${err.message}`;
      throw err;
    }
  }

  private async command(conversationId: string, agentId: string, cmd: AgentCommand): Promise<string | undefined> {
    switch (cmd.kind) {
      case 'help':
        return AGENT_COMMAND_HELP;
      case 'invalid':
        return cmd.message;
      case 'note':
        // The desks post the note into the thread themselves (as for a console note).
        await this.addNote(conversationId, agentId, cmd.text);
        return undefined;
      case 'tag':
      case 'untag': {
        const ticket = await this.mustAct(conversationId, agentId, { queuedToo: true });
        const drop = new Set(cmd.tags.map((t) => t.toLowerCase()));
        const tags = cmd.kind === 'tag' ? [...ticket.tags, ...cmd.tags] : ticket.tags.filter((t) => !drop.has(t));
        const updated = await this.setTags(conversationId, agentId, tags);
        return `Tags: ${updated.tags.join(', ') || 'none'}.`;
      }
      case 'snooze': {
        const updated = await this.snooze(conversationId, agentId, cmd.minutes);
        return updated.snoozedUntil ? `Snoozed until ${new Date(updated.snoozedUntil).toISOString().slice(0, 16).replace('T', ' ')} UTC.` : 'Awake: its timers count in the queue again.';
      }
      case 'transfer': {
        const to = this.deps.config.teams.some((t) => t.id === cmd.to) ? { team: cmd.to } : { agentId: cmd.to };
        const moved = await this.transfer(conversationId, agentId, to, cmd.note);
        return moved.agentId ? `Transferred to ${moved.agentId}.` : `Transferred to the ${this.team(moved.team)?.name ?? moved.team} queue.`;
      }
      case 'canned': {
        if (!cmd.id) {
          const replies = await this.cannedReplies(conversationId, agentId).catch(async (err: unknown) => {
            // A queued ticket's replies may be read by its team before anyone takes it.
            if (!(err instanceof ShopbotError && err.code === 'FORBIDDEN')) throw err;
            const ticket = await this.mustAct(conversationId, agentId, { queuedToo: true });
            return cannedFor(this.deps.config.canned, ticket.lang, this.placeholders(ticket, agentId));
          });
          return replies.map((r) => `${r.id}: ${r.text ?? '(needs details this conversation lacks)'}`).join('\n');
        }
        const queued = await this.deps.queue.openFor(conversationId);
        if (queued?.status === 'queued') {
          // Checked before taking it: a reply that cannot be filled must not take the ticket.
          fillCanned(this.deps.config.canned, cmd.id, queued.lang, this.placeholders(queued, agentId));
          await this.take(queued.id, agentId);
        }
        return `Sent to the shopper: ${await this.sendCanned(conversationId, agentId, cmd.id)}`;
      }
      case 'resolve':
        await this.resolve(conversationId, agentId, cmd.resolution ?? 'solved');
        return undefined;
      case 'handback':
        await this.handBack(conversationId, agentId);
        return undefined;
    }
  }

  private placeholders(ticket: Ticket, agentId: string): Record<string, string | undefined> {
    const team = this.deps.config.teams.find((t) => t.id === ticket.team);
    return placeholderValues(JSON.parse(ticket.summary) as ShopperBrief, { agent: this.displayName(agentId), team: team?.name ?? ticket.team });
  }

  /** The agent's configured display name (handoff file `agents.<id>.displayName`), if any. */
  private displayName(agentId: string): string | undefined {
    const agents = this.deps.config.agents;
    return Object.hasOwn(agents, agentId) ? agents[agentId]?.displayName : undefined;
  }

  /** How the shopper reads the agent: their display name, else a generic one, never the account id. */
  private shopperName(agentId: string, lang: Lang): string {
    return this.displayName(agentId) ?? UNNAMED_AGENT[lang === 'zh' ? 'zh' : 'en'];
  }

  /** The open ticket when the agent may act on it (its holder, or an admin); queued ones too when asked (notes, tags, transfers). */
  private async mustAct(conversationId: string, agentId: string, options: { queuedToo?: boolean } = {}): Promise<Ticket> {
    const ticket = await this.deps.queue.openFor(conversationId);
    if (!ticket) throw new ShopbotError('NOT_FOUND', `no open handoff for conversation ${conversationId}`);
    const teams = this.deps.config.agents[agentId]?.teams;
    const teamMate = options.queuedToo && ticket.status === 'queued' && (!teams || teams.includes(ticket.team));
    if (!this.mayAct(ticket, agentId) && !teamMate) throw new ShopbotError('FORBIDDEN', `agent ${agentId} does not hold conversation ${conversationId}`);
    return ticket;
  }

  async handBack(conversationId: string, agentId: string): Promise<void> {
    await this.close(conversationId, agentId, 'returned', 'handed_back');
  }

  /** Closes the ticket with a reason from the handoff file's `resolutions`. */
  async resolve(conversationId: string, agentId: string, resolution = 'solved'): Promise<void> {
    if (!this.deps.config.resolutions.includes(resolution)) throw new ShopbotError('BAD_REQUEST', `resolution must be one of ${this.deps.config.resolutions.join(', ')}`);
    await this.close(conversationId, agentId, 'resolved', 'resolved', resolution);
  }

  private async close(conversationId: string, agentId: string, status: 'resolved' | 'returned', templateKey: string, resolution?: string): Promise<void> {
    const ticket = await this.deps.queue.openFor(conversationId);
    if (!ticket) throw new ShopbotError('NOT_FOUND', `no open handoff for conversation ${conversationId}`);
    // A queued ticket has no holder: only an admin may close it without taking it first.
    if (!this.mayAct(ticket, agentId)) throw new ShopbotError('FORBIDDEN', `agent ${agentId} does not hold conversation ${conversationId}`);
    const now = this.deps.now();
    const closed = await this.deps.queue.close(ticket.id, status, now, resolution);
    const state = await this.mustLoad(conversationId);
    const { handoff: _h, ...rest } = state;
    // The bot resumes with everything but the task the person dealt with (cart, cards shown, language,
    // identity stay); the person who helped is remembered so the shopper's rating can name them.
    const helper = closed.agentId ?? agentId;
    await this.deps.states.save({ ...rest, owner: 'bot', task: undefined, negativeStreak: 0, lowConfidenceStreak: 0, lastAgent: { agentId: helper, ticketId: closed.id, closedAt: now } }, now);
    this.event(state, closed, status, { durationMs: now - (closed.assignedAt ?? closed.requestedAt) }, agentId);
    const lang = state.lang as Lang;
    const text = `${render(this.deps.templates, lang, templateKey)} ${render(this.deps.templates, lang, 'rate_agent')}`;
    await this.deps.states.appendTranscript(conversationId, [{ role: 'bot', text, ts: now }]);
    this.send(conversationId, state.lang, text, 'bot', { status: 'resolved', reason: ticket.reason, team: ticket.team, rate: 'agent' });
    for (const desk of this.deps.desks?.() ?? []) {
      await desk.closeEscalation(conversationId, status).catch((err: unknown) => this.deps.log?.warn({ err }, 'handoff: closing the support thread failed'));
    }
    this.emit({ type: 'queue_changed' });
  }

  /** The agent holding the ticket, or an admin of the handoff file (`agents.<id>.role`). */
  private mayAct(ticket: Ticket, agentId: string): boolean {
    const agents = this.deps.config.agents;
    return (ticket.status === 'assigned' && ticket.agentId === agentId) || (Object.hasOwn(agents, agentId) && agents[agentId]?.role === 'admin');
  }

  private send(conversationId: string, lang: string, text: string, from: 'bot' | 'agent', handoff?: OutboundMessage['handoff']): void {
    this.deps.push?.(conversationId, { conversationId, text, lang: lang === 'zh' ? 'zh' : 'en', products: [], quickReplies: [], from, ...(handoff ? { handoff } : {}) });
  }

  private channel(state: ConversationState) {
    const c = ChannelSchema.safeParse(state.channel);
    return c.success ? c.data : 'web';
  }

  private event(state: ConversationState, ticket: Ticket, status: 'queued' | 'assigned' | 'resolved' | 'returned', extra: { durationMs?: number; priority?: Priority; queuePosition?: number }, agentId?: string): void {
    this.deps.funnel.log({
      id: `${ticket.id}:${status}`,
      ts: this.deps.now(),
      channel: this.channel(state),
      conversationId: state.conversationId,
      userId: state.userId,
      type: 'handoff',
      status,
      reason: ticket.reason.slice(0, 500),
      team: ticket.team,
      ...(agentId ?? ticket.agentId ? { agentId: agentId ?? ticket.agentId } : {}),
      ...extra,
    });
  }

  private async mustLoad(conversationId: string): Promise<ConversationState> {
    const state = await this.deps.states.load(conversationId);
    if (!state) throw new ShopbotError('UNKNOWN_CONVERSATION', `no conversation ${conversationId}`);
    return state;
  }
}
