/** Proactive sends (an agent's reply, the support desk's threads) through the Agents SDK adapter. */
import type { ConversationReference } from '@microsoft/agents-activity';
import type { CloudAdapter, TurnContext } from '@microsoft/agents-hosting';

/** continueConversation hands logic errors to onTurnError; proactive callers need them thrown. */
export async function continueAndThrow(adapter: CloudAdapter, appId: string, ref: ConversationReference, logic: (context: TurnContext) => Promise<void>): Promise<void> {
  let failure: unknown;
  await adapter.continueConversation(appId, ref, async (context) => {
    try {
      await logic(context);
    } catch (err) {
      failure = err;
    }
  });
  if (failure !== undefined) throw failure;
}
