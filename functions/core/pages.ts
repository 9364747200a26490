import type { Brand } from './config.js';
import Handlebars from 'handlebars';
import type { LinkOutcome } from './jobs/follow-link.js';
import { subscriptions } from './preferences.js';
import { templateLocaleOf, type Locale } from './records.js';
import { emailHtml, readableOn } from './templates/layout.js';
import { footers } from './templates/vocabulary.js';

/**
 * The pages a link from our e-mails lands on, in the customer's language: the survey answer to send,
 * thanks for it, the unsubscribe confirmation, the preference page, or why a link did nothing.
 * Everything shown is escaped; forms post back to the page's own address (its token included), and
 * nothing redirects. No script: every page works with JavaScript off.
 */

type PageName = 'confirmSurveyAnswer' | 'thanks' | 'expired' | 'invalid' | 'gone' | 'notFound' | 'badRequest' | 'confirmUnsubscribe' | 'unsubscribed' | 'unsubscribedFromEverything' | 'preferences';
interface PageText {
  readonly title: string;
  readonly body: string;
}
interface LocaleTexts {
  readonly pages: Record<PageName, PageText>;
  readonly button: { readonly unsubscribe: string; readonly save: string; readonly sendAnswer: string };
  /** What the ends of the 0–10 scale mean. */
  readonly scale: { readonly low: string; readonly high: string };
  readonly choices: Record<(typeof subscriptions)[number], string>;
  readonly saved: string;
  /** Beside "everything" chosen by a customer the business has no marketing consent from: what they get instead, and why the page cannot change it. */
  readonly withoutConsent: string;
}

const texts: Record<Locale, LocaleTexts> = {
  en: {
    pages: {
      confirmSurveyAnswer: { title: 'How likely are you to recommend us to a friend?', body: 'You chose {{score}}. Send it, or pick another number first.' },
      thanks: { title: 'Thank you!', body: 'We have your answer: {{score}} out of 10. Changed your mind? Click another number in the e-mail.' },
      expired: { title: 'This link has expired', body: 'Nothing was changed. The links in our e-mails work for a limited time; a newer e-mail has a fresh one.' },
      invalid: { title: 'This link does not work', body: 'It may have been copied incompletely. Nothing was changed; please use the link exactly as it is in the e-mail.' },
      notFound: { title: 'Page not found', body: 'There is nothing at this address.' },
      gone: { title: 'There is nothing here any more', body: 'This link no longer leads anywhere. Nothing was changed.' },
      badRequest: { title: 'That did not work', body: 'The request was not understood. Nothing was changed.' },
      confirmUnsubscribe: { title: 'Unsubscribe from marketing e-mails?', body: 'You will still receive messages about your contracts and complaints.' },
      unsubscribed: { title: 'You are unsubscribed', body: 'You will get no more marketing e-mails from us. Messages about your contracts and complaints still reach you; your preference page changes that.' },
      unsubscribedFromEverything: { title: 'You are unsubscribed', body: 'You will get no e-mails from us at all, as you chose on your preference page; that page changes it.' },
      preferences: { title: 'Your e-mail preferences', body: 'Choose what we may send you.' },
    },
    button: { unsubscribe: 'Unsubscribe', save: 'Save', sendAnswer: 'Send my answer' },
    scale: { low: '0 = not at all likely', high: '10 = extremely likely' },
    choices: { marketing: 'Everything: greetings, news of your membership, surveys and service messages', service: 'Only service messages (contracts, complaints)', nothing: 'Nothing at all' },
    saved: 'Saved.',
    withoutConsent: 'For now you receive service messages only: greetings, news and surveys also need your agreement, which you give {{business}} directly, not on this page.',
  },
  es: {
    pages: {
      confirmSurveyAnswer: { title: '¿Qué probabilidad hay de que nos recomiendes a un amigo?', body: 'Has elegido {{score}}. Envíalo, o elige antes otro número.' },
      thanks: { title: '¡Gracias!', body: 'Tenemos tu respuesta: {{score}} sobre 10. ¿Has cambiado de opinión? Haz clic en otro número del correo.' },
      expired: { title: 'Este enlace ha caducado', body: 'No se ha cambiado nada. Los enlaces de nuestros correos funcionan durante un tiempo limitado; un correo más reciente trae uno nuevo.' },
      invalid: { title: 'Este enlace no funciona', body: 'Puede que se haya copiado incompleto. No se ha cambiado nada; usa el enlace tal como aparece en el correo.' },
      notFound: { title: 'Página no encontrada', body: 'No hay nada en esta dirección.' },
      gone: { title: 'Aquí ya no hay nada', body: 'Este enlace ya no lleva a ninguna parte. No se ha cambiado nada.' },
      badRequest: { title: 'No ha funcionado', body: 'No hemos entendido la petición. No se ha cambiado nada.' },
      confirmUnsubscribe: { title: '¿Darte de baja de los correos comerciales?', body: 'Seguirás recibiendo los mensajes sobre tus contratos y reclamaciones.' },
      unsubscribed: { title: 'Te has dado de baja', body: 'No te enviaremos más correos comerciales. Los mensajes sobre tus contratos y reclamaciones te seguirán llegando; puedes cambiarlo en tu página de preferencias.' },
      unsubscribedFromEverything: { title: 'Te has dado de baja', body: 'No te enviaremos ningún correo, como elegiste en tu página de preferencias; puedes cambiarlo allí.' },
      preferences: { title: 'Tus preferencias de correo', body: 'Elige qué podemos enviarte.' },
    },
    button: { unsubscribe: 'Darme de baja', save: 'Guardar', sendAnswer: 'Enviar mi respuesta' },
    scale: { low: '0 = nada probable', high: '10 = muy probable' },
    choices: { marketing: 'Todo: felicitaciones, novedades de tu cuenta, encuestas y mensajes de servicio', service: 'Solo mensajes de servicio (contratos, reclamaciones)', nothing: 'Nada en absoluto' },
    saved: 'Guardado.',
    withoutConsent: 'Por ahora solo recibes mensajes de servicio: las felicitaciones, novedades y encuestas necesitan además tu consentimiento, que se da directamente a {{business}}, no en esta página.',
  },
  ro: {
    pages: {
      confirmSurveyAnswer: { title: 'Cât de probabil este să ne recomanzi unui prieten?', body: 'Ai ales {{score}}. Trimite răspunsul sau alege mai întâi alt număr.' },
      thanks: { title: 'Mulțumim!', body: 'Am primit răspunsul tău: {{score}} din 10. Te-ai răzgândit? Dă clic pe alt număr din e-mail.' },
      expired: { title: 'Acest link a expirat', body: 'Nu s-a schimbat nimic. Linkurile din e-mailurile noastre funcționează un timp limitat; un e-mail mai nou are unul proaspăt.' },
      invalid: { title: 'Acest link nu funcționează', body: 'Poate nu a fost copiat în întregime. Nu s-a schimbat nimic; folosește linkul exact cum apare în e-mail.' },
      notFound: { title: 'Pagina nu a fost găsită', body: 'Nu există nimic la această adresă.' },
      gone: { title: 'Aici nu mai este nimic', body: 'Acest link nu mai duce nicăieri. Nu s-a schimbat nimic.' },
      badRequest: { title: 'Nu a funcționat', body: 'Nu am înțeles cererea. Nu s-a schimbat nimic.' },
      confirmUnsubscribe: { title: 'Te dezabonezi de la e-mailurile de marketing?', body: 'Vei primi în continuare mesajele despre contractele și reclamațiile tale.' },
      unsubscribed: { title: 'Te-ai dezabonat', body: 'Nu îți vom mai trimite e-mailuri de marketing. Mesajele despre contractele și reclamațiile tale îți vor sosi în continuare; poți schimba asta din pagina de preferințe.' },
      unsubscribedFromEverything: { title: 'Te-ai dezabonat', body: 'Nu îți vom trimite niciun e-mail, așa cum ai ales în pagina de preferințe; poți schimba asta tot acolo.' },
      preferences: { title: 'Preferințele tale de e-mail', body: 'Alege ce îți putem trimite.' },
    },
    button: { unsubscribe: 'Dezabonează-mă', save: 'Salvează', sendAnswer: 'Trimite răspunsul' },
    scale: { low: '0 = deloc probabil', high: '10 = foarte probabil' },
    choices: { marketing: 'Tot: felicitări, noutăți despre abonament, sondaje și mesaje de serviciu', service: 'Doar mesaje de serviciu (contracte, reclamații)', nothing: 'Nimic' },
    saved: 'Salvat.',
    withoutConsent: 'Deocamdată primești doar mesaje de serviciu: felicitările, noutățile și sondajele au nevoie și de acordul tău, pe care îl dai direct către {{business}}, nu pe această pagină.',
  },
};

// The survey's scale: eleven radio buttons drawn as boxes (the input stays focusable and keyboard-driven),
// one row on a wide screen, two (0 to 5, 6 to 10) on a phone, where 11 boxes in a row would be too small to tap.
// The page is the e-mails' layout (layout.ts); these are its forms' own rules, the accent colour added per brand
// with the text that reads on it (onAccent).
const pageStyle = [
  'h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}label{display:block;margin:.5rem 0}form{margin:0 0 1.5rem}',
  'label>input[type=radio]{accent-color:{{accent}};width:1.1rem;height:1.1rem;margin:0 .4rem 0 0;vertical-align:-.15rem}',
  'button{font:inherit;margin-top:1rem;padding:.65rem 1.4rem;border:0;border-radius:6px;background:{{accent}};color:{{onAccent}};cursor:pointer}',
  'button:focus-visible{outline:3px solid #f0a500;outline-offset:2px}',
  '.scale{display:grid;grid-template-columns:repeat(6,1fr);gap:.4rem;border:0;margin:1.25rem 0 .25rem;padding:0;min-width:0}',
  '@media (min-width:36rem){.scale{grid-template-columns:repeat(11,1fr)}}',
  '.scale label{margin:0;position:relative}',
  '.scale input{position:absolute;opacity:0;inset:0;margin:0}',
  '.scale span{display:block;padding:.7rem 0;text-align:center;font-weight:600;border:1px solid #888;border-radius:6px;background:#fff;color:#222}',
  '.scale input:checked+span{background:{{accent}};border-color:{{accent}};color:{{onAccent}};}',
  '.scale input:focus-visible+span{outline:3px solid #f0a500;outline-offset:2px}',
  '.ends{display:flex;justify-content:space-between;gap:1rem;margin:0 0 .5rem;font-size:.875rem;color:#555}',
  '.ends span:last-child{text-align:right}',
  // Native radio buttons drawn for a dark page, or they are dark rings on a dark ground.
  '@media (prefers-color-scheme:dark){form{color-scheme:dark}.scale span{background:#2a2a2a;color:#ececec}.ends{color:#bbb}}',
].join('');
const pageStyleOf = Handlebars.compile(pageStyle);

const pageContent = Handlebars.compile(`<h1>{{title}}</h1><p>{{body}}</p>
{{#if saved}}<p role="status"><strong>{{saved}}</strong>{{#if notice}} {{notice}}{{/if}}</p>{{else if notice}}<p>{{notice}}</p>{{/if}}
{{#if scores}}<form method="post"><input type="hidden" name="t" value="{{token}}"><fieldset class="scale" aria-label="{{title}}" aria-describedby="ends">{{#each scores}}<label><input type="radio" name="score" value="{{value}}"{{#if checked}} checked{{/if}}><span>{{value}}</span></label>{{/each}}</fieldset><p class="ends" id="ends"><span>{{scaleLow}}</span><span>{{scaleHigh}}</span></p><button type="submit">{{sendButton}}</button></form>{{/if}}
{{#if unsubscribeButton}}<form method="post"><button type="submit">{{unsubscribeButton}}</button></form>{{/if}}
{{#if choices}}<form method="post">{{#each choices}}<label><input type="radio" name="receive" value="{{value}}"{{#if checked}} checked{{/if}}> {{label}}</label>{{/each}}<button type="submit">{{saveButton}}</button></form>{{/if}}`);

/**
 * The headers every link page is served with, by the Lambda handler and the local link server alike.
 * No script, no frame: the pages carry forms that change things, so no other site may show them in a
 * frame and trick a click (`frame-ancestors 'none'`, and `X-Frame-Options` for older browsers).
 */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The token is in the URL: it must not travel on in a Referer or land in a search index.
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Images: the brand's logo (an https URL, configuration brand.logoUrl); nothing else loads.
  'content-security-policy': "default-src 'none'; img-src https:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** Each page's text compiled once, not on every click; not escaped here, since pageContent escapes what it shows. */
const compiledTexts = new Map<string, Handlebars.TemplateDelegate>();
const compiledText = (source: string): Handlebars.TemplateDelegate => {
  let template = compiledTexts.get(source);
  if (!template) compiledTexts.set(source, (template = Handlebars.compile(source, { noEscape: true })));
  return template;
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
  const tag = wanted.find((entry) => templateLocaleOf(entry.tag) !== 'en' || entry.tag.split('-')[0]!.toLowerCase() === 'en')?.tag;
  return tag === undefined ? 'en' : templateLocaleOf(tag);
};

export interface Page {
  readonly status: number;
  readonly html: string;
}

/** The page for what a link did; `acceptLanguage` chooses the language when the link itself cannot be trusted. */
export const linkPage = (outcome: LinkOutcome, brand: Brand, acceptLanguage?: string): Page => {
  const claimed = 'locale' in outcome ? outcome.locale : undefined;
  // The e-mail's own rule (templateLocaleOf): the page a link lands on speaks the language of the e-mail it came from.
  const lang = claimed !== undefined ? templateLocaleOf(claimed) : languageFromHeader(acceptLanguage);
  const t = texts[lang];
  const render = (status: number, name: PageName, extra: Record<string, unknown> = {}): Page => {
    const text = t.pages[name];
    const content = pageContent({ title: text.title, body: compiledText(text.body)(extra), ...extra });
    // The accent is a validated #RRGGBB: nothing in it can leave the CSS.
    return { status, html: emailHtml({ brand, lang, subject: text.title, content, footer: footers[lang], pageStyle: pageStyleOf({ accent: brand.colors.accent, onAccent: readableOn(brand.colors.accent, '#ffffff') }) }) };
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
    case 'gone':
      return render(410, 'gone');
    case 'confirmSurveyAnswer':
      return render(200, 'confirmSurveyAnswer', {
        score: outcome.score,
        token: outcome.token,
        scores: Array.from({ length: 11 }, (_, value) => ({ value, checked: value === outcome.score })),
        scaleLow: t.scale.low,
        scaleHigh: t.scale.high,
        sendButton: t.button.sendAnswer,
      });
    case 'surveyAnswer':
      return render(200, 'thanks', { score: outcome.score });
    case 'confirmUnsubscribe':
      return render(200, 'confirmUnsubscribe', { unsubscribeButton: t.button.unsubscribe });
    case 'unsubscribed':
      // One who had chosen "nothing at all" gets no service messages either: the page must not say they do.
      return render(200, outcome.receive === 'nothing' ? 'unsubscribedFromEverything' : 'unsubscribed');
    case 'preferences':
      return render(200, 'preferences', {
        saved: outcome.saved ? t.saved : undefined,
        // Only "everything" differs from what reaches the customer: without consent it is service messages (consentBlocks).
        notice: outcome.receive === 'marketing' && !outcome.marketingConsent ? compiledText(t.withoutConsent)({ business: brand.name }) : undefined,
        saveButton: t.button.save,
        choices: subscriptions.map((value) => ({ value, label: t.choices[value], checked: value === outcome.receive })),
      });
  }
};
