/** What `npm run screenshots` takes and how it judges them: pure, so a unit test can hold it. */

export type Scheme = 'light' | 'dark';

export interface Shot {
  /** The file name, without `.png`. */
  readonly name: string;
  readonly width: number;
  readonly scheme: Scheme;
  /** Images blocked, as a mail client shows an e-mail before images are allowed. */
  readonly imagesOff: boolean;
}

export const SHOT_WIDTHS = [375, 600] as const;
/** Widths checked for sideways scrolling: the smallest phones, and the one the issue holds us to. */
export const SCROLL_WIDTHS = [320, 375] as const;
export const REQUIRED_NO_SCROLL_WIDTH = 375;

/** Every screenshot of one document: each width light and dark, and for an e-mail one with images off. */
export const shotsOf = (document: string, kind: 'email' | 'page'): Shot[] => [
  ...SHOT_WIDTHS.flatMap((width) => (['light', 'dark'] as const).map((scheme) => ({ name: `${document}-${width}-${scheme}`, width, scheme, imagesOff: false }))),
  ...(kind === 'email' ? [{ name: `${document}-375-images-off`, width: 375, scheme: 'light' as const, imagesOff: true }] : []),
];

export interface ScrollMeasure {
  readonly width: number;
  readonly scrollWidth: number;
  readonly clientWidth: number;
}

/** Sideways scrolling: content wider than the window (a pixel of rounding is not scrolling). */
export const scrollsSideways = (measure: ScrollMeasure): boolean => measure.scrollWidth > measure.clientWidth + 1;

/** The documents that scroll sideways at the width that must not. */
export const overflowing = (measures: ReadonlyMap<string, readonly ScrollMeasure[]>): string[] =>
  [...measures].filter(([, list]) => list.some((measure) => measure.width === REQUIRED_NO_SCROLL_WIDTH && scrollsSideways(measure))).map(([document]) => document);
