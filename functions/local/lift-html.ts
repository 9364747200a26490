import type { LiftResult, OutcomeResult } from '../core/measurement/lift.js';
import type { Verdict } from '../core/measurement/proportions.js';

/**
 * The HTML report's "Did it retain?" section (docs/measurement.md): for each outcome the difference
 * between treated and held-out customers as a dot, its 95 % interval as a bar across a zero line, on
 * one scale for all, with the counts and the sentence as text beside the picture. Inline SVG, no
 * scripts; every figure is also written out in text, and colour is never the only cue (an interval
 * too small to tell is dashed, and the verdict is spelt out).
 */

const escape = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What a synthetic response model says of itself in a report. */
export interface ResponseModelNote {
  readonly synthetic?: boolean;
  readonly description?: string;
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const signed = (share: number) => `${share > 0 ? '+' : share < 0 ? '−' : ''}${Math.abs(share * 100).toFixed(1)}`;
/** An axis label: whole points where they are whole. */
const tick = (share: number) => `${share > 0 ? '+' : share < 0 ? '−' : ''}${Number(Math.abs(share * 100).toFixed(1))}`;

type Tone = 'better' | 'worse' | 'neutral';
const toneOf = (outcome: OutcomeResult, verdict: Verdict): Tone =>
  verdict === 'higher' ? (outcome.fewerIsBetter ? 'worse' : 'better') : verdict === 'lower' ? (outcome.fewerIsBetter ? 'better' : 'worse') : 'neutral';
/** On white: 7.1:1, 6.5:1 and 10.3:1. */
const colourOf: Record<Tone, string> = { better: '#166534', worse: '#b91c1c', neutral: '#374151' };
const verdictText = (outcome: OutcomeResult, verdict: Verdict): string =>
  verdict === 'tooSmall'
    ? 'too small to tell'
    : verdict === 'noDifference'
      ? 'no difference beyond chance'
      : `${verdict === 'higher' ? 'more' : 'fewer'} with messages (${toneOf(outcome, verdict) === 'better' ? 'better' : 'worse'})`;

/** The half-width of the shared scale: the widest interval, rounded up to a readable number of points. */
const extentOf = (outcomes: readonly OutcomeResult[]): number => {
  const widest = Math.max(0.01, ...outcomes.flatMap((o) => (o.comparison ? [Math.abs(o.comparison.interval[0]), Math.abs(o.comparison.interval[1])] : [])));
  return [0.02, 0.04, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1].find((step) => step >= widest - 1e-9) ?? 1;
};

const WIDTH = 400;
const PAD = 28;

const strip = (outcome: OutcomeResult & { measurable: true }, extent: number, id: string): string => {
  const { difference, interval, verdict } = outcome.comparison;
  const x = (share: number) => (PAD + ((share + extent) / (2 * extent)) * (WIDTH - 2 * PAD)).toFixed(1);
  const colour = colourOf[toneOf(outcome, verdict)];
  const ticks = [-extent, -extent / 2, 0, extent / 2, extent];
  const better = outcome.fewerIsBetter ? 'left' : 'right';
  return `<svg class="lift-strip" viewBox="0 0 ${WIDTH} 86" role="img" aria-labelledby="${id}-title">
<title id="${id}-title">${escape(`${outcome.label}: difference ${signed(difference)} points, 95 % interval ${signed(interval[0])} to ${signed(interval[1])} points; ${verdictText(outcome, verdict)}`)}</title>
<line x1="${PAD}" y1="38" x2="${WIDTH - PAD}" y2="38" stroke="#9ca3af" stroke-width="1"/>
${ticks.map((t) => `<line x1="${x(t)}" y1="34" x2="${x(t)}" y2="42" stroke="#6b7280"/><text x="${x(t)}" y="60" text-anchor="middle" font-size="14" fill="#374151">${tick(t)}</text>`).join('')}
<line x1="${x(0)}" y1="8" x2="${x(0)}" y2="46" stroke="#111827" stroke-width="1.5"/>
<line x1="${x(interval[0])}" y1="24" x2="${x(interval[1])}" y2="24" stroke="${colour}" stroke-width="6" stroke-linecap="butt"${verdict === 'tooSmall' ? ' stroke-dasharray="6 4"' : ''}/>
<line x1="${x(interval[0])}" y1="16" x2="${x(interval[0])}" y2="32" stroke="${colour}" stroke-width="2"/><line x1="${x(interval[1])}" y1="16" x2="${x(interval[1])}" y2="32" stroke="${colour}" stroke-width="2"/>
<circle cx="${x(difference)}" cy="24" r="7" fill="${colour}" stroke="#fff" stroke-width="2"/>
<text x="${PAD}" y="80" font-size="14" fill="#374151">← fewer${better === 'left' ? ' (better)' : ''}</text>
<text x="${WIDTH - PAD}" y="80" font-size="14" fill="#374151" text-anchor="end">more${better === 'right' ? ' (better)' : ''} →</text>
</svg>`;
};

const outcomeFigure = (outcome: OutcomeResult, extent: number, index: number): string => {
  const id = `lift-${index}`;
  const title = `${escape(outcome.label)}${outcome.fewerIsBetter ? ' <span class="lift-hint">(fewer is better)</span>' : ''}`;
  if (!outcome.measurable) {
    return `<figure class="lift-outcome"><figcaption><b>${title}</b> <span class="lift-verdict">not measurable yet</span></figcaption><p class="lift-sentence">${escape(outcome.sentence)}</p></figure>`;
  }
  const { treated, heldOut, difference, interval, verdict } = outcome.comparison;
  const tone = toneOf(outcome, verdict);
  return `<figure class="lift-outcome" aria-labelledby="${id}-caption">
<figcaption id="${id}-caption"><b>${title}</b> <span class="lift-verdict lift-${tone}">${escape(verdictText(outcome, verdict))}</span><br>
<span class="lift-counts">treated ${treated.events} of ${treated.n} ${escape(outcome.counted)} (${treated.n ? pct(treated.rate) : '–'}) · held out ${heldOut.events} of ${heldOut.n} (${heldOut.n ? pct(heldOut.rate) : '–'}) · difference ${signed(difference)} points, 95 % interval ${signed(interval[0])} to ${signed(interval[1])}</span></figcaption>
${strip(outcome, extent, id)}
<p class="lift-sentence">${escape(outcome.sentence)}</p>
</figure>`;
};

export const LIFT_CSS = `.lift{border:1px solid #d1d5db;border-radius:8px;padding:0 1rem 1rem;margin-top:2rem}.lift h2{margin-top:1rem}
.lift-synthetic{background:#fef3c7;color:#713f12;border:2px solid #92400e;border-radius:6px;padding:.5rem .75rem;font-weight:600}
.lift-synthetic span{display:block;font-weight:400}
.lift-outcome{margin:1.25rem 0 0;padding:0;break-inside:avoid}.lift-outcome figcaption{line-height:1.5}
.lift-strip{display:block;width:100%;max-width:480px;height:auto;background:none;margin:.25rem 0}
.lift-verdict{display:inline-block;font-size:12px;font-weight:600;padding:0 .4em;border:1px solid currentColor;border-radius:4px;color:#374151}
.lift-better{color:#166534}.lift-worse{color:#b91c1c}.lift-hint{font-weight:400;color:#4b5563}
.lift-counts{font-size:13px;color:#374151}.lift-sentence{margin:.25rem 0 0;color:#111827}.lift-meta{color:#374151}
@media print{.lift{border:none;padding:0}.lift-synthetic{border-width:3px}}`;

/** The section, or '' when the report has no lift section. */
export const liftSection = (result: LiftResult | undefined, responseModel?: ResponseModelNote): string => {
  if (!result) return '';
  const synthetic = responseModel?.synthetic === true;
  const shares = Object.entries(result.holdoutPercent);
  const same = shares.every(([, share]) => share === shares[0]?.[1]);
  const holdout = result.campaign !== null ? `${shares[0]?.[1]} % held out of ${result.campaign}` : same ? `${shares[0]?.[1]} % of customers held out` : `held out by campaign: ${shares.map(([c, s]) => `${c} ${s} %`).join(', ')}`;
  const measurable = result.outcomes.filter((o) => o.measurable);
  const extent = extentOf(measurable);
  const banner = synthetic
    ? `<p class="lift-synthetic" role="note">Synthetic data: these outcomes were made by a response model, not by customers. They show that the measurement finds an effect planted in the data, not that the messages work.<span>${escape(responseModel?.description ?? '')}</span></p>`
    : '';
  const body =
    result.nothingToCompare !== null
      ? `<p>${escape(result.nothingToCompare)}</p>`
      : `<p class="lift-meta">Each picture: the difference, treated minus held out, in percentage points (the dot), with its 95 % interval (the bar), against zero (the dark line); right of zero, more with messages; one scale for all. A dashed bar: the groups are too small to tell. ${escape(result.method)}.</p>
${result.outcomes.map((outcome, index) => outcomeFigure(outcome, extent, index)).join('\n')}`;
  return `<section class="lift" aria-labelledby="lift-title">
<h2 id="lift-title">Did it retain? Held-out against treated customers${synthetic ? ' (synthetic data)' : ''}</h2>
${banner}
<p class="lift-meta">${escape(result.window.since)} → ${escape(result.window.until)} · ${escape(holdout)} · ${result.groups.treated} treated, ${result.groups.heldOut} held out${result.groups.mixed ? `, ${result.groups.mixed} held out of some campaigns only (left out)` : ''} · every customer, consenting or not (intent to treat)</p>
${body}
</section>`;
};
