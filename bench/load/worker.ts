/**
 * Entry of one client process of `shopbot bench load` (child_process.fork): it receives its
 * ShopperPlan over IPC, runs the shoppers and sends the ShopperResult back. Separate processes,
 * not threads, so the clients' work is scheduled apart from the server's event loop.
 */
import { runShoppers, type ShopperPlan } from './shoppers.js';

if (!process.send) {
  console.error('bench/load/worker.ts runs as a child of `shopbot bench load`');
  process.exit(2);
}

process.once('message', (plan: ShopperPlan) => {
  runShoppers(plan).then(
    (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
    (err: unknown) => process.send!({ type: 'failed', message: err instanceof Error ? err.stack ?? err.message : String(err) }, () => process.exit(1)),
  );
});
process.send({ type: 'ready' });
