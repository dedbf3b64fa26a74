/**
 * The committed models load from the repository with no network and behave sensibly: the
 * embedding ranks a product's own passage above an unrelated one for a query cut from it, and the
 * intent classifier answers plain store intents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { decideIntent, openIntentClassifier, openTextEncoder, productPassage, type IntentClassifier, type TextEncoder } from '../../src/models/index.js';

const log = { info: () => {}, warn: () => {}, error: () => {} };
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('shipped models (models/intent, models/embedding)', () => {
  let encoder: TextEncoder;
  let classifier: IntentClassifier;
  beforeAll(async () => {
    const models = loadConfig({ overrides: { models: { threads: 1 } } }).models;
    encoder = await openTextEncoder(models, log);
    classifier = await openIntentClassifier(models, log);
  }, 60_000);
  afterAll(async () => {
    await encoder?.close();
    await classifier?.close();
  });

  it('embeds unit vectors of the model dimension and prefers the matching product', async () => {
    const passages = [
      productPassage({ title: 'Kindle Paperwhite – Now Waterproof with 2x the Storage', brand: 'Amazon', color: 'Black', bullets: ['300 ppi glare-free display'] }),
      productPassage({ title: 'Signature Design by Ashley Chime 12" Medium Firm Memory Foam Mattress, Queen', brand: 'Ashley', bullets: ['Memory foam for pressure relief'] }),
    ];
    const [kindle, mattress] = await encoder.embed(passages, { kind: 'passage' });
    const [q1, q2] = await encoder.embed(['waterproof kindle paperwhite', 'queen memory foam mattress'], { kind: 'query' });
    expect(kindle!.length).toBe(encoder.dim);
    expect(dot(kindle!, kindle!)).toBeCloseTo(1, 4);
    expect(dot(q1!, kindle!)).toBeGreaterThan(dot(q1!, mattress!));
    expect(dot(q2!, mattress!)).toBeGreaterThan(dot(q2!, kindle!));
  });

  it('classifies store intents', async () => {
    const intentOf = async (text: string) => {
      const [probs] = await classifier.classify([text]);
      return decideIntent(classifier.labels, probs!, classifier.oosLabel, classifier.oosThreshold).intent;
    };
    expect(await intentOf('where is my order? it has not arrived yet')).toBe('order_status');
    expect(await intentOf('hello there')).toBe('greeting');
  });
});
