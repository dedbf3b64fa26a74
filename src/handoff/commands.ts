/**
 * The desk's tools as words in a Slack or Teams escalation thread, where there is no console:
 * a thread message starting with `!` and a command word is a tool, never a reply to the shopper.
 *
 *   !note TEXT              internal note (the shopper never sees it)
 *   !tag a, b  / !untag a   add or remove tags
 *   !snooze 30m|2h|1d|off   hide the timers for a while (off wakes it)
 *   !transfer TO [NOTE]     TO is a team id or an agent id (Slack: an @mention)
 *   !canned [ID]            list the canned replies filled for this ticket, or send one
 *   !resolve [REASON]       close with a reason from the handoff file's resolutions
 *   !handback               give the conversation back to the bot
 *   !help                   this list
 *
 * Pure: parsing only. Who may run which command is the handoff service's rule, as in the console.
 */
export type AgentCommand =
  | { readonly kind: 'note'; readonly text: string }
  | { readonly kind: 'tag' | 'untag'; readonly tags: readonly string[] }
  | { readonly kind: 'snooze'; readonly minutes: number }
  | { readonly kind: 'transfer'; readonly to: string; readonly note?: string }
  | { readonly kind: 'canned'; readonly id?: string }
  | { readonly kind: 'resolve'; readonly resolution?: string }
  | { readonly kind: 'handback' }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly message: string };

export const AGENT_COMMAND_HELP =
  'Thread commands: `!note TEXT` (internal), `!tag a, b`, `!untag a`, `!snooze 30m` (or 2h, 1d, off), `!transfer TEAM-or-AGENT note`, `!canned` (list) or `!canned ID` (send), `!resolve REASON`, `!handback`. Anything else you write here goes to the shopper.';

const MAX_SNOOZE_MINUTES = 10_080;
const UNIT_MINUTES: Readonly<Record<string, number>> = { m: 1, min: 1, h: 60, d: 1440 };

function snoozeMinutes(arg: string): number | undefined {
  if (/^(off|wake|0)$/i.test(arg)) return 0;
  const m = /^(\d{1,5})\s*(m|min|h|d)?$/i.exec(arg);
  if (!m) return undefined;
  const minutes = Number(m[1]) * UNIT_MINUTES[(m[2] ?? 'm').toLowerCase()]!;
  return minutes >= 1 && minutes <= MAX_SNOOZE_MINUTES ? minutes : undefined;
}

/** The command in a thread message, or undefined when the message is a reply to the shopper. */
export function parseAgentCommand(text: string): AgentCommand | undefined {
  const m = /^\s*!([a-z]+)\b\s*([\s\S]*)$/i.exec(text);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  const rest = m[2]!.trim().slice(0, 2000);
  switch (word) {
    case 'note':
      return rest ? { kind: 'note', text: rest } : { kind: 'invalid', message: 'Write the note after `!note`.' };
    case 'tag':
    case 'untag': {
      const tags = rest.split(/[,\s]+/).filter(Boolean).slice(0, 20);
      return tags.length ? { kind: word, tags } : { kind: 'invalid', message: `Name the tags after \`!${word}\`.` };
    }
    case 'snooze': {
      const minutes = snoozeMinutes(rest || '30m');
      return minutes === undefined ? { kind: 'invalid', message: 'Snooze for 1 minute to 7 days: `!snooze 30m`, `!snooze 2h`, `!snooze 1d`, or `!snooze off`.' } : { kind: 'snooze', minutes };
    }
    case 'transfer': {
      const [to, ...note] = rest.split(/\s+/);
      if (!to) return { kind: 'invalid', message: 'Say who takes over: `!transfer billing needs a refund decision`.' };
      return { kind: 'transfer', to: to.slice(0, 200), ...(note.length ? { note: note.join(' ') } : {}) };
    }
    case 'canned':
      return rest ? { kind: 'canned', id: rest.split(/\s+/)[0]!.toLowerCase().slice(0, 40) } : { kind: 'canned' };
    case 'resolve':
      return rest ? { kind: 'resolve', resolution: rest.split(/\s+/)[0]!.toLowerCase().slice(0, 40) } : { kind: 'resolve' };
    case 'handback':
      return { kind: 'handback' };
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'invalid', message: `Unknown command \`!${word.slice(0, 20)}\`. ${AGENT_COMMAND_HELP}` };
  }
}
