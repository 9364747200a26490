import Handlebars from 'handlebars';
import type { LinkOutcome } from './jobs/follow-link.js';
import { subscriptions } from './preferences.js';
import { locales, type Locale } from './records.js';

/**
 * The pages a link from our e-mails lands on, in the customer's language: thanks for an answer, the
 * unsubscribe confirmation, the preference page, or why a link did nothing. Everything shown is
 * escaped; forms post back to the page's own address (its token included), and nothing redirects.
 */

type PageName = 'thanks' | 'expired' | 'invalid' | 'notFound' | 'badRequest' | 'confirmUnsubscribe' | 'unsubscribed' | 'preferences';
interface PageText {
  readonly title: string;
  readonly body: string;
}
interface LocaleTexts {
  readonly pages: Record<PageName, PageText>;
  readonly button: { readonly unsubscribe: string; readonly save: string };
  readonly choices: Record<(typeof subscriptions)[number], string>;
  readonly saved: string;
}

const texts: Record<Locale, LocaleTexts> = {
  en: {
    pages: {
      thanks: { title: 'Thank you!', body: 'We have your answer: {{score}} out of 10. Changed your mind? Click another number in the e-mail.' },
      expired: { title: 'This link has expired', body: 'Nothing was changed. The links in our e-mails work for a limited time; a newer e-mail has a fresh one.' },
      invalid: { title: 'This link does not work', body: 'It may have been copied incompletely. Nothing was changed; please use the link exactly as it is in the e-mail.' },
      notFound: { title: 'Page not found', body: 'There is nothing at this address.' },
      badRequest: { title: 'That did not work', body: 'The request was not understood. Nothing was changed.' },
      confirmUnsubscribe: { title: 'Unsubscribe from marketing e-mails?', body: 'You will still receive messages about your contracts and complaints.' },
      unsubscribed: { title: 'You are unsubscribed', body: 'You will get no more marketing e-mails from us. Messages about your contracts and complaints still reach you; your preference page changes that.' },
      preferences: { title: 'Your e-mail preferences', body: 'Choose what we may send you.' },
    },
    button: { unsubscribe: 'Unsubscribe', save: 'Save' },
    choices: { marketing: 'Everything: greetings, news of your membership, surveys and service messages', service: 'Only service messages (contracts, complaints)', nothing: 'Nothing at all' },
    saved: 'Saved.',
  },
  es: {
    pages: {
      thanks: { title: '¡Gracias!', body: 'Tenemos tu respuesta: {{score}} sobre 10. ¿Has cambiado de opinión? Haz clic en otro número del correo.' },
      expired: { title: 'Este enlace ha caducado', body: 'No se ha cambiado nada. Los enlaces de nuestros correos funcionan durante un tiempo limitado; un correo más reciente trae uno nuevo.' },
      invalid: { title: 'Este enlace no funciona', body: 'Puede que se haya copiado incompleto. No se ha cambiado nada; usa el enlace tal como aparece en el correo.' },
      notFound: { title: 'Página no encontrada', body: 'No hay nada en esta dirección.' },
      badRequest: { title: 'No ha funcionado', body: 'No hemos entendido la petición. No se ha cambiado nada.' },
      confirmUnsubscribe: { title: '¿Darte de baja de los correos comerciales?', body: 'Seguirás recibiendo los mensajes sobre tus contratos y reclamaciones.' },
      unsubscribed: { title: 'Te has dado de baja', body: 'No te enviaremos más correos comerciales. Los mensajes sobre tus contratos y reclamaciones te seguirán llegando; puedes cambiarlo en tu página de preferencias.' },
      preferences: { title: 'Tus preferencias de correo', body: 'Elige qué podemos enviarte.' },
    },
    button: { unsubscribe: 'Darme de baja', save: 'Guardar' },
    choices: { marketing: 'Todo: felicitaciones, novedades de tu cuenta, encuestas y mensajes de servicio', service: 'Solo mensajes de servicio (contratos, reclamaciones)', nothing: 'Nada en absoluto' },
    saved: 'Guardado.',
  },
  ro: {
    pages: {
      thanks: { title: 'Mulțumim!', body: 'Am primit răspunsul tău: {{score}} din 10. Te-ai răzgândit? Dă clic pe alt număr din e-mail.' },
      expired: { title: 'Acest link a expirat', body: 'Nu s-a schimbat nimic. Linkurile din e-mailurile noastre funcționează un timp limitat; un e-mail mai nou are unul proaspăt.' },
      invalid: { title: 'Acest link nu funcționează', body: 'Poate nu a fost copiat în întregime. Nu s-a schimbat nimic; folosește linkul exact cum apare în e-mail.' },
      notFound: { title: 'Pagina nu a fost găsită', body: 'Nu există nimic la această adresă.' },
      badRequest: { title: 'Nu a funcționat', body: 'Nu am înțeles cererea. Nu s-a schimbat nimic.' },
      confirmUnsubscribe: { title: 'Te dezabonezi de la e-mailurile de marketing?', body: 'Vei primi în continuare mesajele despre contractele și reclamațiile tale.' },
      unsubscribed: { title: 'Te-ai dezabonat', body: 'Nu îți vom mai trimite e-mailuri de marketing. Mesajele despre contractele și reclamațiile tale îți vor sosi în continuare; poți schimba asta din pagina de preferințe.' },
      preferences: { title: 'Preferințele tale de e-mail', body: 'Alege ce îți putem trimite.' },
    },
    button: { unsubscribe: 'Dezabonează-mă', save: 'Salvează' },
    choices: { marketing: 'Tot: felicitări, noutăți despre abonament, sondaje și mesaje de serviciu', service: 'Doar mesaje de serviciu (contracte, reclamații)', nothing: 'Nimic' },
    saved: 'Salvat.',
  },
};

const page = Handlebars.compile(`<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.6rem}label{display:block;margin:.5rem 0}</style></head>
<body><h1>{{title}}</h1><p>{{body}}</p>
{{#if saved}}<p role="status"><strong>{{saved}}</strong></p>{{/if}}
{{#if unsubscribeButton}}<form method="post"><button type="submit">{{unsubscribeButton}}</button></form>{{/if}}
{{#if choices}}<form method="post">{{#each choices}}<label><input type="radio" name="receive" value="{{value}}"{{#if checked}} checked{{/if}}> {{label}}</label>{{/each}}<button type="submit">{{saveButton}}</button></form>{{/if}}
<p>{{brand}}</p></body></html>`);

/** Each page's body compiled once, not on every click. */
const compiledBodies = new Map<string, Handlebars.TemplateDelegate>();
const compiledBody = (source: string): Handlebars.TemplateDelegate => {
  let template = compiledBodies.get(source);
  if (!template) compiledBodies.set(source, (template = Handlebars.compile(source)));
  return template;
};

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

/** The page for what a link did; `acceptLanguage` chooses the language when the link itself cannot be trusted. */
export const linkPage = (outcome: LinkOutcome, brand: string, acceptLanguage?: string): Page => {
  const lang = 'locale' in outcome ? languageOf(outcome.locale) : languageFromHeader(acceptLanguage);
  const t = texts[lang];
  const render = (status: number, name: PageName, extra: Record<string, unknown> = {}): Page => {
    const text = t.pages[name];
    return { status, html: page({ lang, title: text.title, body: compiledBody(text.body)(extra), brand, ...extra }) };
  };
  switch (outcome.kind) {
    case 'notFound':
      return render(404, 'notFound');
    case 'invalid':
      return render(400, 'invalid');
    case 'badRequest':
      return render(400, 'badRequest');
    case 'expired':
      return render(410, 'expired');
    case 'surveyAnswer':
      return render(200, 'thanks', { score: outcome.score });
    case 'confirmUnsubscribe':
      return render(200, 'confirmUnsubscribe', { unsubscribeButton: t.button.unsubscribe });
    case 'unsubscribed':
      return render(200, 'unsubscribed');
    case 'preferences':
      return render(200, 'preferences', {
        saved: outcome.saved ? t.saved : undefined,
        saveButton: t.button.save,
        choices: subscriptions.map((value) => ({ value, label: t.choices[value], checked: value === outcome.receive })),
      });
  }
};
