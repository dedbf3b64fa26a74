/**
 * Training jobs a worker thread runs: plain data in (columns as typed arrays), model JSON out, so
 * the same function runs in-process (tests, evals) and in the worker (the server, off the reply path).
 */
import { trainGbdt, type GbdtModelJson, type GbdtTrainInput } from './booster.js';
import { trainUplift, type UpliftModelJson, type UpliftTrainInput } from './uplift.js';

export type TreeJob = { readonly type: 'gbdt'; readonly input: GbdtTrainInput } | { readonly type: 'uplift'; readonly input: UpliftTrainInput };
export type TreeJobResult<J extends TreeJob> = J extends { type: 'gbdt' } ? GbdtModelJson : UpliftModelJson;

export function runTreeJob<J extends TreeJob>(job: J): TreeJobResult<J> {
  return (job.type === 'gbdt' ? trainGbdt(job.input).toJSON() : trainUplift(job.input).toJSON()) as TreeJobResult<J>;
}
