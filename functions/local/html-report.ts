import { daysBetween } from '../core/calendar.js';
import { identifiedRecord } from '../core/records.js';
import { maskEmailsIn } from '../core/mask.js';
import type { BandViolations } from './band-check.js';
import type { ReportMessage, SimulationReport } from './report.js';
import { LIFT_CSS, liftSection } from './lift-html.js';

/**
 * The simulation report for a person: messages per day by campaign, the gaps between a customer's
 * messages against the band, one customer's timeline, and what did not go out and why. One
 * self-contained HTML file (inline SVG, no scripts); every value from the data is escaped.
 */

const escape = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const palette = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04'];

const dailyChart = (report: SimulationReport, campaigns: string[]): string => {
  const start = report.window.start.slice(0, 10);
  const days = Math.max(1, daysBetween(start, report.window.end.slice(0, 10)));
  const counts = Array.from({ length: days }, () => new Map<string, number>());
  for (const m of report.messages) {
    if (m.state !== 'sent' || !m.sentAt) continue;
    const day = daysBetween(start, m.sentAt.slice(0, 10));
    if (day >= 0 && day < days) counts[day]!.set(m.campaign, (counts[day]!.get(m.campaign) ?? 0) + 1);
  }
  const peak = Math.max(1, ...counts.map((c) => [...c.values()].reduce((a, b) => a + b, 0)));
  const width = 900;
  const height = 220;
  const barWidth = width / days;
  const bars = counts.flatMap((byCampaign, day) => {
    let y = height;
    return campaigns.map((campaign, i) => {
      const n = byCampaign.get(campaign) ?? 0;
      if (n === 0) return '';
      const h = (n / peak) * (height - 10);
      y -= h;
      return `<rect x="${(day * barWidth).toFixed(2)}" y="${y.toFixed(2)}" width="${Math.max(1, barWidth - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="${palette[i % palette.length]}"><title>day ${day + 1}: ${n} ${escape(campaign)}</title></rect>`;
    });
  });
  return `<svg viewBox="0 0 ${width} ${height + 20}" role="img" aria-label="Messages sent per day by campaign">
<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/>${bars.join('')}
<text x="0" y="${height + 16}" font-size="11">${escape(start)}</text><text x="${width}" y="${height + 16}" font-size="11" text-anchor="end">${escape(report.window.end.slice(0, 10))}</text>
<text x="4" y="12" font-size="11">peak ${peak} a day</text></svg>`;
};

const gapHistogram = (report: SimulationReport): string => {
  const { minDaysBetween, maxDaysBetween } = report.config.cadence;
  const byCustomer = new Map<string, string[]>();
  for (const m of report.messages) if (m.state === 'sent' && m.localDate) byCustomer.set(m.customerId, [...(byCustomer.get(m.customerId) ?? []), m.localDate]);
  const gaps = new Map<number, number>();
  for (const dates of byCustomer.values()) {
    dates.sort();
    for (let i = 1; i < dates.length; i++) {
      const gap = daysBetween(dates[i - 1]!, dates[i]!);
      gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
    }
  }
  const longest = Math.max(maxDaysBetween + 5, ...gaps.keys());
  const peak = Math.max(1, ...gaps.values());
  const width = 900;
  const height = 200;
  const step = width / (longest + 1);
  const x = (days: number) => (days * step).toFixed(2);
  const bars = [...gaps].map(([gap, n]) => {
    const h = (n / peak) * (height - 20);
    const inside = gap >= minDaysBetween && gap <= maxDaysBetween;
    return `<rect x="${x(gap)}" y="${(height - h).toFixed(2)}" width="${Math.max(1, step - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="${inside ? '#2563eb' : '#dc2626'}"><title>${n} gaps of ${gap} days</title></rect>`;
  });
  return `<svg viewBox="0 0 ${width} ${height + 20}" role="img" aria-label="Gaps between a customer's messages, in local days">
<rect x="${x(minDaysBetween)}" y="0" width="${(Number(x(maxDaysBetween + 1)) - Number(x(minDaysBetween))).toFixed(2)}" height="${height}" fill="#dbeafe"/>
<text x="${x(minDaysBetween)}" y="12" font-size="11">band: ${minDaysBetween}–${maxDaysBetween} days</text>
${bars.join('')}<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/>
${[0, minDaysBetween, maxDaysBetween, longest].map((d) => `<text x="${x(d)}" y="${height + 16}" font-size="11">${d}</text>`).join('')}</svg>
<p class="note">Gaps in the customer's local days between consecutive messages (any campaign). Capped messages must be at least ${minDaysBetween} days apart; a non-capped one (a complaint follow-up) may come sooner, and red bars beyond ${maxDaysBetween} would be floor breaks.</p>`;
};

const timeline = (messages: ReportMessage[], campaigns: string[]): string => {
  const rows = messages
    .map((m) => `<tr class="${escape(m.state)}"><td>${escape(m.localDate ?? m.dueAt.slice(0, 10))}</td><td>${escape(m.localTime ?? '')}</td><td><span class="dot" style="background:${palette[campaigns.indexOf(m.campaign) % palette.length]}"></span>${escape(m.campaign)}</td><td>${escape(m.state)}</td><td>${escape(m.subject ?? '')}</td><td>${escape(maskEmailsIn(m.reason ?? ''))}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>local date</th><th>time</th><th>campaign</th><th>state</th><th>subject</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
};

export const renderHtmlReport = (report: SimulationReport, band: BandViolations, customerId?: string): string => {
  const campaigns = [...new Set(report.messages.map((m) => m.campaign))].sort();
  const sentBy = new Map<string, number>();
  for (const m of report.messages) if (m.state === 'sent') sentBy.set(m.customerId, (sentBy.get(m.customerId) ?? 0) + 1);
  const shown = customerId ?? [...sentBy].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const customerMessages = report.messages.filter((m) => m.customerId === shown);
  const notSent = report.messages.filter((m) => m.state !== 'sent');
  const s = report.summary;
  const bandLine = [['cap', band.cap], ['floor', band.floor], ['quiet hours', band.quietHours], ['duplicates', band.duplicates]] as const;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Retention simulation ${escape(report.window.start.slice(0, 10))}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#111}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}svg{width:100%;height:auto;background:#fafafa}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}tr.expired td,tr.suppressed td,tr.cancelled td{color:#991b1b}
.kpi{display:flex;gap:1.5rem;flex-wrap:wrap}.kpi div{background:#f3f4f6;padding:.5rem .8rem;border-radius:6px}.kpi b{display:block;font-size:1.3rem}.dot{display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:.4em}.note{color:#555;font-size:12px}.ok{color:#166534}.bad{color:#991b1b}@media (max-width:600px){body{margin:1rem;font-size:15px}table{display:block;overflow-x:auto}}
${LIFT_CSS}</style></head><body>
<h1>Retention simulation: ${escape(report.window.start.slice(0, 10))} → ${escape(report.window.end.slice(0, 10))}</h1>
<div class="kpi"><div><b>${s.sent}</b>sent</div><div><b>${s.deferred}</b>deferred on the way</div><div><b>${s.expired}</b>expired</div><div><b>${s.suppressed}</b>suppressed</div><div><b>${s.cancelled}</b>cancelled</div>${(s.heldOut ?? 0) > 0 ? `<div><b>${s.heldOut}</b>held out</div>` : ''}<div><b>${report.rejected.length}</b>records rejected</div><div><b>${report.warnings.length}</b>import warnings</div></div>
<p>${bandLine.map(([name, list]) => `<span class="${list.length ? 'bad' : 'ok'}">${list.length} ${name} violations</span>`).join(' · ')}</p>
${liftSection(report.lift?.result, report.responseModel)}
<h2>Messages sent per day, by campaign</h2>
<p>${campaigns.map((c, i) => `<span class="dot" style="background:${palette[i % palette.length]}"></span>${escape(c)} ${s.byCampaign[c]?.sent ?? 0}`).join(' &nbsp; ')}</p>
${dailyChart(report, campaigns)}
<h2>Gaps between a customer's messages</h2>
${gapHistogram(report)}
<h2>One customer's timeline: ${escape(maskEmailsIn(shown ?? 'none'))}</h2>
${customerMessages.length ? timeline(customerMessages, campaigns) : '<p>No messages.</p>'}
<h2>What did not go out, and why (${notSent.length})</h2>
${notSent.length ? timeline(notSent.slice(0, 200), campaigns) : '<p>Everything planned in the window went out.</p>'}
${report.rejected.length ? `<h2>Rejected records</h2><table>${report.rejected.map((r) => `<tr><td>line ${r.line}</td><td>${escape(identifiedRecord(r.record) ?? '')}</td><td>${escape(r.reason)}</td></tr>`).join('')}</table>` : ''}
${report.warnings.length ? `<h2>Imported with a warning</h2><table>${report.warnings.map((w) => `<tr><td>line ${w.line}</td><td>${escape(w.reason)}</td></tr>`).join('')}</table>` : ''}
</body></html>
`;
};
