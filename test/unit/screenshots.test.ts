import { describe, expect, it } from 'vitest';
import { overflowing, scrollsSideways, shotsOf } from '../../scripts/screenshot-plan.js';

describe('npm run screenshots', () => {
  it('takes each document at 375 and 600 px, light and dark, and an e-mail once more with images off', () => {
    expect(shotsOf('survey-es', 'email').map((shot) => shot.name)).toEqual(['survey-es-375-light', 'survey-es-375-dark', 'survey-es-600-light', 'survey-es-600-dark', 'survey-es-375-images-off']);
    expect(shotsOf('page-thanks-es', 'page').filter((shot) => shot.imagesOff)).toEqual([]);
  });

  it('fails a document that scrolls sideways at 375 px; 320 px is reported, and a pixel of rounding is no scroll', () => {
    expect(scrollsSideways({ width: 375, scrollWidth: 376, clientWidth: 375 })).toBe(false);
    expect(scrollsSideways({ width: 375, scrollWidth: 420, clientWidth: 375 })).toBe(true);
    const measures = new Map([
      ['fits', [{ width: 320, scrollWidth: 320, clientWidth: 320 }, { width: 375, scrollWidth: 375, clientWidth: 375 }]],
      ['tight', [{ width: 320, scrollWidth: 360, clientWidth: 320 }, { width: 375, scrollWidth: 375, clientWidth: 375 }]],
      ['wide', [{ width: 320, scrollWidth: 600, clientWidth: 320 }, { width: 375, scrollWidth: 600, clientWidth: 375 }]],
    ]);
    expect(overflowing(measures)).toEqual(['wide']);
  });
});
