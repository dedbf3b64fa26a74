/** Open escalations: conversations whose latest handoff event is not resolved or returned to the bot. */
import type { FunnelEvent, FunnelReader } from '../funnel/index.js';

export interface OpenEscalation {
  readonly conversationId: string;
  readonly status: 'requested' | 'queued' | 'assigned';
  readonly reason: string;
  readonly team?: string;
  readonly agentId?: string;
  readonly channel: string;
  /** When the escalation was first requested (or first seen in the window). */
  readonly sinceTs: number;
  readonly updatedTs: number;
}

const OPEN = new Set(['requested', 'queued', 'assigned']);

export function openEscalations(events: Iterable<FunnelEvent>): OpenEscalation[] {
  const latest = new Map<string, OpenEscalation>();
  for (const e of events) {
    if (e.type !== 'handoff' || !e.conversationId) continue;
    const prev = latest.get(e.conversationId);
    if (!OPEN.has(e.status)) {
      latest.delete(e.conversationId);
      continue;
    }
    latest.set(e.conversationId, {
      conversationId: e.conversationId,
      status: e.status as OpenEscalation['status'],
      reason: prev && e.status !== 'requested' ? prev.reason || e.reason : e.reason,
      team: e.team ?? prev?.team,
      agentId: e.agentId ?? prev?.agentId,
      channel: e.channel,
      sinceTs: prev?.sinceTs ?? e.ts,
      updatedTs: e.ts,
    });
  }
  return [...latest.values()].sort((a, b) => a.sinceTs - b.sinceTs);
}

/** Looks back `lookbackMs` (default 30 days): older unresolved escalations are stale, not open work. */
export async function computeOpenEscalations(store: FunnelReader, nowMs: number, lookbackMs = 30 * 86_400_000): Promise<OpenEscalation[]> {
  const events: FunnelEvent[] = [];
  for await (const e of store.query({ types: ['handoff'], fromTs: nowMs - lookbackMs, toTs: nowMs + 1 })) events.push(e);
  return openEscalations(events);
}
