/**
 * The planted-effect figures (`npm run bench:lift`; docs/response-model.md): does `retention lift`'s
 * comparison recover an effect planted in a synthetic response model? One row per experiment: over
 * many seeds (each a cohort whose groups come from the real holdout assignment with a salt of its
 * own), how often the 95 % interval covered the planted difference, and how often it excluded zero
 * (the power with an effect planted, the false-positive rate without). Outcomes come from the model's
 * own decision functions, the ones the simulator uses.
 *
 *   npm run bench:lift -- [--seeds 1000] [--buys-seeds 200] [--model data/demo-response-model.json] [--json]
 *
 * Renewal: treated customers are sent a renewal reminder, held-out ones not; planted: +0.10 on the
 * model's baseline (and the model's own effect, when it has one). Buys again: treated customers are
 * sent a keep-in-touch message; the outcome is a purchase within 30 days; planted: the model's
 * keepInTouch.buysAgain. Each "no effect" row takes every effect out of the same model.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { binomialBand, runPlantedEffect, type PlantedEffectFigures, type PlantedOutcome } from '../functions/core/measurement/planted-effect.js';
import { parseResponseModel, type ResponseModel } from '../functions/core/measurement/response-model.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    'buys-seeds': { type: 'string', default: '200' },
    model: { type: 'string', default: 'data/demo-response-model.json' },
    json: { type: 'boolean', default: false },
  },
});
const seeds = Number(values.seeds);
const buysSeeds = Number(values['buys-seeds']);
const model = parseResponseModel(JSON.parse(await readFile(values.model, 'utf8')));
const withRenewal = (renews: number): ResponseModel => ({ ...model, afterMessage: { ...model.afterMessage, renewal: { ...model.afterMessage.renewal, renews } } });
const none: ResponseModel = { ...model, afterMessage: {} };

const experiments: { name: string; outcome: PlantedOutcome; seeds: number; customers: number; holdoutPercent: number; models: [string, ResponseModel][] }[] = [
  { name: 'renewal', outcome: 'renewal', seeds, customers: 500, holdoutPercent: 20, models: [['+0.10', withRenewal(0.1)], ['none', none]] },
  { name: 'renewal', outcome: 'renewal', seeds, customers: 1000, holdoutPercent: 10, models: [['+0.10', withRenewal(0.1)], [`model ${model.afterMessage.renewal?.renews ?? 0}`, model], ['none', none]] },
  { name: 'renewal', outcome: 'renewal', seeds: Math.min(seeds, 200), customers: 5000, holdoutPercent: 10, models: [['+0.10', withRenewal(0.1)], ['none', none]] },
  { name: 'buys again', outcome: 'buysAgain', seeds: buysSeeds, customers: 2000, holdoutPercent: 20, models: [[`model ${model.afterMessage.keepInTouch?.buysAgain ?? 0}`, model], ['none', none]] },
];

const rows: (PlantedEffectFigures & { experiment: string; planted: string; seconds: number })[] = [];
const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
if (!values.json) {
  console.log(`Planted-effect figures, synthetic response model ${values.model} ("${model.description.slice(0, 60)}…")`);
  console.log('outcome      planted     seeds  customers  held out (mean)  true diff  covered (95 % band)        excluded 0');
}
for (const experiment of experiments) {
  const started = performance.now();
  const figures = runPlantedEffect({ seeds: experiment.seeds, customers: experiment.customers, holdoutPercent: experiment.holdoutPercent, outcome: experiment.outcome, models: experiment.models.map(([, m]) => m) });
  const seconds = (performance.now() - started) / 1000;
  figures.forEach((f, i) => {
    const planted = experiment.models[i]![0];
    rows.push({ ...f, experiment: experiment.name, planted, seconds });
    if (values.json) return;
    const [low, high] = binomialBand(0.95, f.seeds);
    console.log(
      `${experiment.name.padEnd(12)} ${planted.padEnd(10)} ${String(f.seeds).padStart(6)} ${String(f.customers).padStart(10)}  ${`${f.holdoutPercent} % (${f.meanHeldOut.toFixed(0)})`.padEnd(15)} ${f.trueDifference.toFixed(4).padStart(9)}  ${percent(f.coverage)} [${percent(low)}, ${percent(high)}]  ${percent(f.excludedZeroShare)}`,
    );
  });
}
if (values.json) console.log(JSON.stringify(rows, null, 2));
else console.log('covered: seeds whose 95 % interval held the true difference; excluded 0: the power with an effect, the false-positive rate without (expected 5 %).');
