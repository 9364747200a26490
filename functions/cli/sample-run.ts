import { sampleCohort, type CohortSample } from '../core/sample.js';
import { count, customerFiguresOf, scaledFrom, scaleToCohort, withInterval, type SampleSection } from '../local/customer-figures.js';
import type { SimulationResult } from '../local/simulation.js';

/**
 * `--sample <n>` of `simulate` and `config diff`: the stable sample to run (core/sample.ts), or none
 * when the cohort has no more than n customers (then it runs whole, and says so).
 */
export const sampleToRun = (data: string, n: number | undefined, log: (line: string) => void): CohortSample | undefined => {
  if (n === undefined) return undefined;
  const sample = sampleCohort(data, n);
  if (sample.size >= sample.population) {
    log(`--sample ${n}: the cohort has ${count(sample.population)} customers, no more than ${count(n)}: running it whole, no sample`);
    return undefined;
  }
  log(`--sample ${n}: simulating a stable random sample of ${count(sample.size)} of ${count(sample.population)} customers (key ${sample.key}); figures are scaled to the whole cohort with 95 % intervals`);
  return sample;
};

/**
 * A simulation of a sample as the whole file's: rejected and warned lines numbered as in the whole file,
 * and the report's `sample` section (n, N, the key, each figure scaled with its interval).
 */
export const asSampleOfCohort = (result: SimulationResult, sample: CohortSample): SimulationResult => {
  const line = <T extends { readonly line: number }>(entry: T): T => ({ ...entry, line: sample.originalLine[entry.line - 1] ?? entry.line });
  const section = scaleToCohort(customerFiguresOf(result), sample, result.report.window);
  return {
    ...result,
    rejected: result.rejected.map(line),
    warnings: result.warnings.map(line),
    report: { ...result.report, rejected: result.report.rejected.map(line), warnings: result.report.warnings.map(line), sample: section },
  };
};

/** The scaled figures, as a person reads them: `messages sent 12,340 (95 % interval 12,010 to 12,670)`. */
export const formatSampleSection = (section: SampleSection): string => {
  const entries = Object.entries(section.figures);
  const seen = entries.filter(([, figure]) => figure.sample !== 0);
  const unseen = entries.filter(([, figure]) => figure.sample === 0);
  const width = Math.max(...seen.map(([name]) => name.length), 'messages per customer per month'.length);
  const lines = [
    `Whole cohort, ${scaledFrom(section)} (× ${count(section.N / section.n, 2)}; stable sample, key ${section.key}); each figure with its 95 % interval:`,
    ...seen.map(([name, figure]) => `  ${name.padEnd(width)}  ${withInterval(figure)}   (sample: ${count(figure.sample)})`),
    `  ${'messages per customer per month'.padEnd(width)}  ${withInterval(section.messagesPerCustomerMonth, 2)}`,
  ];
  if (unseen.length) {
    const most = Math.max(...unseen.map(([, figure]) => figure.interval[1]));
    lines.push(`  0 in the sample, so at most about ${count(Math.ceil(most))} each in the whole cohort: ${unseen.map(([name]) => name).join(', ')}`);
  }
  lines.push(
    '  The figures above this section are the sample\'s own; its DynamoDB figures are not scaled (a dispatcher tick or a planner run costs much the same for fewer customers).',
    `  Method: ${section.method}.`,
  );
  return lines.join('\n');
};
