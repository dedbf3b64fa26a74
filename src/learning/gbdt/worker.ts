/** Worker-thread entry: trains the job in workerData and posts the model JSON back (see train-worker.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { runTreeJob, type TreeJob } from './jobs.js';

parentPort?.postMessage(runTreeJob(workerData as TreeJob));
