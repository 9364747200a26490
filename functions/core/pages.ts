import Handlebars from 'handlebars';
import type { SurveyAnswerOutcome } from './jobs/answer-survey.js';
import { locales, type Locale } from './records.js';

/**
 * The pages a one-click link lands on, in the customer's language: thanks for an answer, or why a
 * link did nothing. Everything shown is escaped.
 */

interface PageText {
  readonly title: string;
  readonly body: string;
}

const texts: Record<Locale, Record<'thanks' | 'expired' | 'invalid' | 'notFound', PageText>> = {
  en: {
    thanks: { title: 'Thank you!', body: 'We have your answer: {{score}} out of 10. Changed your mind? Click another number in the e-mail.' },
    expired: { title: 'This link has expired', body: 'The survey is closed, so nothing was recorded. Thank you all the same.' },
    invalid: { title: 'This link does not work', body: 'It may have been copied incompletely. Nothing was recorded; please use the link exactly as it is in the e-mail.' },
    notFound: { title: 'Page not found', body: 'There is nothing at this address.' },
  },
  es: {
    thanks: { title: '¡Gracias!', body: 'Tenemos tu respuesta: {{score}} sobre 10. ¿Has cambiado de opinión? Haz clic en otro número del correo.' },
    expired: { title: 'Este enlace ha caducado', body: 'La encuesta está cerrada, así que no se ha registrado nada. Gracias de todos modos.' },
    invalid: { title: 'Este enlace no funciona', body: 'Puede que se haya copiado incompleto. No se ha registrado nada; usa el enlace tal como aparece en el correo.' },
    notFound: { title: 'Página no encontrada', body: 'No hay nada en esta dirección.' },
  },
  ro: {
    thanks: { title: 'Mulțumim!', body: 'Am primit răspunsul tău: {{score}} din 10. Te-ai răzgândit? Dă clic pe alt număr din e-mail.' },
    expired: { title: 'Acest link a expirat', body: 'Sondajul s-a încheiat, așa că nu s-a înregistrat nimic. Îți mulțumim oricum.' },
    invalid: { title: 'Acest link nu funcționează', body: 'Poate nu a fost copiat în întregime. Nu s-a înregistrat nimic; folosește linkul exact cum apare în e-mail.' },
    notFound: { title: 'Pagina nu a fost găsită', body: 'Nu există nimic la această adresă.' },
  },
};

const page = Handlebars.compile(`<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.6rem}</style></head>
<body><h1>{{title}}</h1><p>{{body}}</p><p>{{brand}}</p></body></html>`);

export const languageOf = (locale: string | undefined): Locale => {
  const language = locale?.slice(0, 2).toLowerCase();
  return (locales as readonly string[]).includes(language ?? '') ? (language as Locale) : 'en';
};

/** The first of our languages an `Accept-Language` header asks for, for a link whose own language cannot be trusted. */
export const languageFromHeader = (acceptLanguage: string | undefined): Locale => {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag: tag!.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return languageOf(wanted.find((entry) => languageOf(entry.tag) !== 'en' || entry.tag.toLowerCase().startsWith('en'))?.tag);
};

export interface Page {
  readonly status: number;
  readonly html: string;
}

const render = (status: number, lang: Locale, kind: keyof (typeof texts)['en'], brand: string, score?: number): Page => {
  const text = texts[lang][kind];
  return { status, html: page({ lang, title: text.title, body: Handlebars.compile(text.body)({ score }), brand }) };
};

export const surveyAnswerPage = (outcome: SurveyAnswerOutcome, brand: string, acceptLanguage?: string): Page => {
  switch (outcome.kind) {
    case 'invalid':
      return render(400, languageFromHeader(acceptLanguage), 'invalid', brand);
    case 'expired':
      return render(410, languageOf(outcome.locale), 'expired', brand);
    default:
      return render(200, languageOf(outcome.locale), 'thanks', brand, outcome.score);
  }
};

export const notFoundPage = (brand: string, acceptLanguage?: string): Page => render(404, languageFromHeader(acceptLanguage), 'notFound', brand);
