/**
 * Service levels: the first-response and resolution timers of a ticket against its team's targets
 * (config `teams[].targets`). The clock starts at the escalation, or at the team's next opening for
 * one that came in after hours (nobody was due to answer before then), and stops while snoozed
 * only in the sense that a snoozed ticket is not alerted on. Pure.
 */
import type { Team } from './config.js';
import type { Ticket } from './queue.js';
import { isOpen } from './routing.js';

const STEP_MS = 15 * 60_000;
const LOOKAHEAD_MS = 8 * 24 * 3_600_000;

/** The first moment at or after `fromMs` (to 15 minutes) when the team is open; `fromMs` for a team without hours. */
export function nextOpening(team: Team, fromMs: number): number {
  if (!team.hours || isOpen(team, fromMs)) return fromMs;
  for (let t = Math.ceil(fromMs / STEP_MS) * STEP_MS; t < fromMs + LOOKAHEAD_MS; t += STEP_MS) if (isOpen(team, t)) return t;
  return fromMs;
}

/** "Fri 09:00 (Europe/Berlin)", "周五 09:00 (Europe/Berlin)": when the team opens, in its own time zone. */
export function formatOpening(team: Team, atMs: number, lang: string): string {
  const timeZone = team.hours?.timezone ?? 'UTC';
  const when = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(atMs));
  return `${when} (${timeZone})`;
}

export interface ServiceLevel {
  /** When the clock started: the escalation, or the next opening after it. */
  readonly startsAt: number;
  readonly firstResponseDueAt: number;
  readonly resolutionDueAt: number;
  /** Time taken so far (or in all, once met). */
  readonly firstResponseMs: number;
  readonly resolutionMs: number;
  readonly firstResponseBreached: boolean;
  readonly resolutionBreached: boolean;
  readonly snoozed: boolean;
}

export function serviceLevel(ticket: Ticket, team: Team | undefined, nowMs: number): ServiceLevel {
  const targets = team?.targets ?? { firstResponseMinutes: 15, resolutionMinutes: 240 };
  const startsAt = team ? nextOpening(team, ticket.requestedAt) : ticket.requestedAt;
  const firstResponseDueAt = startsAt + targets.firstResponseMinutes * 60_000;
  const resolutionDueAt = startsAt + targets.resolutionMinutes * 60_000;
  const respondedAt = ticket.firstResponseAt ?? nowMs;
  const closedAt = ticket.closedAt ?? nowMs;
  return {
    startsAt,
    firstResponseDueAt,
    resolutionDueAt,
    firstResponseMs: Math.max(0, respondedAt - startsAt),
    resolutionMs: Math.max(0, closedAt - startsAt),
    firstResponseBreached: respondedAt > firstResponseDueAt,
    resolutionBreached: closedAt > resolutionDueAt,
    snoozed: ticket.snoozedUntil !== undefined && ticket.snoozedUntil > nowMs,
  };
}

/** Runs the breach check every `intervalMs` (one at a time); stop() waits for a check in flight. */
export function scheduleServiceLevelChecks(check: () => Promise<unknown>, intervalMs: number, log: { warn(obj: object, msg?: string): void }): { stop(): Promise<void> } {
  let inFlight: Promise<void> | undefined;
  const tick = () => {
    inFlight ??= check()
      .then(() => undefined, (err: unknown) => log.warn({ err }, 'handoff: service-level check failed; retrying on the next tick'))
      .finally(() => (inFlight = undefined));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
