import { describe, expect, it } from 'vitest';
import { measureLift, type LiftFacts } from '../../functions/core/measurement/lift.js';
import { holdoutGroupOf } from '../../functions/core/measurement/holdout.js';
import { liftSection } from '../../functions/local/lift-html.js';

const measurement = { holdoutPercent: 50, salt: 'lift-html', campaigns: {} };
const ids = Array.from({ length: 200 }, (_, i) => `c-${i}`);
const facts: LiftFacts = {
  customers: ids.map((customerId) => ({ customerId, createdAt: null })),
  // Treated customers renew far more: a clear effect.
  contracts: ids.map((customerId, i) => ({ customerId, contractId: `k${i}`, endsOn: '2027-02-01', autoRenew: false, status: holdoutGroupOf(customerId, measurement) === 'treated' ? (i % 5 ? 'renewed' : 'active') : i % 5 ? 'active' : 'renewed' })),
  interactions: [],
  complaints: [{ customerId: 'c-1', complaintId: 'q', resolvedAt: '2027-01-10T00:00:00Z', reopenedAt: null }],
};
const result = measureLift(facts, measurement, { since: '2027-01-01', until: '2027-02-15' });

describe('the HTML report: did it retain?', () => {
  it('draws each measurable outcome as a dot and an interval bar with a text alternative, and says the rest in words', () => {
    const html = liftSection(result);
    expect(html).toContain('<h2 id="lift-title">Did it retain? Held-out against treated customers</h2>');
    expect(html.match(/<svg class="lift-strip"/g)).toHaveLength(3); // renewal, within 30 days, complaints; 90 days not measurable
    expect(html).toMatch(/<title id="lift-0-title">Contracts renewed: difference \+\d+\.\d points, 95 % interval \+\d+\.\d to \+\d+\.\d points; more with messages \(better\)<\/title>/);
    expect(html).toContain('not measurable yet');
    expect(html).toContain('Not measurable yet in this window: it needs 90 days after 2027-01-01');
    // Too small to tell: dashed, and said.
    expect(html).toMatch(/stroke-dasharray="6 4"/);
    expect(html).toContain('too small to tell');
    expect(html).not.toContain('synthetic');
  });

  it('labels synthetic data plainly, with the model\'s own description escaped', () => {
    const html = liftSection(result, { synthetic: true, description: 'Planted: renewal <+20 points> & more' });
    expect(html).toContain('(synthetic data)</h2>');
    expect(html).toContain('Synthetic data: these outcomes were made by a response model, not by customers.');
    expect(html).toContain('Planted: renewal &lt;+20 points&gt; &amp; more');
  });

  it('with no holdout: the sentence saying there is nothing to compare, and no picture', () => {
    const html = liftSection(measureLift(facts, { ...measurement, holdoutPercent: 0 }, { since: '2027-01-01', until: '2027-02-15' }));
    expect(html).toContain('there is nothing to compare');
    expect(html).not.toContain('<svg');
  });

  it('nothing when the report has no lift section', () => {
    expect(liftSection(undefined)).toBe('');
  });
});
