import type { CampaignTemplates } from './types.js';

/**
 * The feedback loop's e-mails: the survey with its eleven one-click answers, and the complaint
 * follow-ups (apology, check-in while open, "how did we do?" after resolution, and the follow-up a
 * low survey score opens). `{{subjectLine}}` is the complaint's subject when it has one.
 */

const tiers = {
  en: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  es: { standard: 'Estándar', silver: 'Plata', gold: 'Oro', diamond: 'Diamante' },
  ro: { standard: 'Standard', silver: 'Argint', gold: 'Aur', diamond: 'Diamant' },
} as const;

// Inline boxes, not a table row: on a phone the eleven wrap onto two lines instead of scrolling sideways.
const scoreButtons = `<p style="margin:12px 0;line-height:1">{{#each surveyLinks}}<a href="{{url}}" style="display:inline-block;min-width:28px;margin:0 4px 8px 0;padding:10px 6px;text-align:center;border:1px solid #888888;border-radius:4px;text-decoration:none;color:{{../look.colors.accent}}">{{score}}</a>{{/each}}</p>`;
const scoreLines = `{{#each surveyLinks}}{{score}}: {{url}}
{{/each}}`;

export const surveyTemplates: CampaignTemplates = {
  en: {
    subject: 'How did we do{{#if name}}, {{name}}{{/if}}?',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>Thank you for choosing {{brand}}. How likely are you to recommend us to a friend? Pick a number, then confirm it on the page that opens:</p>
${scoreButtons}
<p style="font-size:smaller">0 = not at all likely, 10 = extremely likely. You can change your answer by clicking another number.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

Thank you for choosing {{brand}}. How likely are you to recommend us to a friend? Open one link and confirm on the page (0 = not at all likely, 10 = extremely likely):

${scoreLines}`,
    tierNames: tiers.en,
  },
  es: {
    subject: '¿Qué tal lo hicimos{{#if name}}, {{name}}{{/if}}?',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Gracias por elegir {{brand}}. ¿Qué probabilidad hay de que nos recomiendes a un amigo? Elige un número y confírmalo en la página que se abre:</p>
${scoreButtons}
<p style="font-size:smaller">0 = nada probable, 10 = muy probable. Puedes cambiar tu respuesta haciendo clic en otro número.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Gracias por elegir {{brand}}. ¿Qué probabilidad hay de que nos recomiendes a un amigo? Abre un enlace y confirma en la página (0 = nada probable, 10 = muy probable):

${scoreLines}`,
    tierNames: tiers.es,
  },
  ro: {
    subject: 'Cum ne-am descurcat{{#if name}}, {{name}}{{/if}}?',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Îți mulțumim că ai ales {{brand}}. Cât de probabil este să ne recomanzi unui prieten? Alege un număr, apoi confirmă-l pe pagina care se deschide:</p>
${scoreButtons}
<p style="font-size:smaller">0 = deloc probabil, 10 = foarte probabil. Îți poți schimba răspunsul dând clic pe alt număr.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Îți mulțumim că ai ales {{brand}}. Cât de probabil este să ne recomanzi unui prieten? Deschide un link și confirmă pe pagină (0 = deloc probabil, 10 = foarte probabil):

${scoreLines}`,
    tierNames: tiers.ro,
  },
};

export const complaintApologyTemplates: CampaignTemplates = {
  en: {
    subject: 'We are sorry{{#if subjectLine}}: {{subjectLine}}{{/if}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>We are sorry{{#if subjectLine}} about <strong>{{subjectLine}}</strong>{{else}} about the trouble you reported{{/if}}. Your complaint reached us and someone at {{brand}} is working on it.</p>
<p>We will keep you posted until it is put right.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

We are sorry{{#if subjectLine}} about "{{subjectLine}}"{{else}} about the trouble you reported{{/if}}. Your complaint reached us and someone at {{brand}} is working on it.

We will keep you posted until it is put right.`,
    tierNames: tiers.en,
  },
  es: {
    subject: 'Lo sentimos{{#if subjectLine}}: {{subjectLine}}{{/if}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Lamentamos {{#if subjectLine}}lo ocurrido con <strong>{{subjectLine}}</strong>{{else}}el problema que nos contaste{{/if}}. Hemos recibido tu reclamación y alguien de {{brand}} se está ocupando de ella.</p>
<p>Te mantendremos informado hasta que quede resuelta.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Lamentamos {{#if subjectLine}}lo ocurrido con "{{subjectLine}}"{{else}}el problema que nos contaste{{/if}}. Hemos recibido tu reclamación y alguien de {{brand}} se está ocupando de ella.

Te mantendremos informado hasta que quede resuelta.`,
    tierNames: tiers.es,
  },
  ro: {
    subject: 'Ne pare rău{{#if subjectLine}}: {{subjectLine}}{{/if}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Ne pare rău {{#if subjectLine}}pentru <strong>{{subjectLine}}</strong>{{else}}pentru problema semnalată{{/if}}. Am primit reclamația ta și cineva de la {{brand}} se ocupă de ea.</p>
<p>Te vom ține la curent până când totul se rezolvă.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Ne pare rău {{#if subjectLine}}pentru „{{subjectLine}}”{{else}}pentru problema semnalată{{/if}}. Am primit reclamația ta și cineva de la {{brand}} se ocupă de ea.

Te vom ține la curent până când totul se rezolvă.`,
    tierNames: tiers.ro,
  },
};

export const complaintCheckInTemplates: CampaignTemplates = {
  en: {
    subject: 'An update on your complaint{{#if subjectLine}}: {{subjectLine}}{{/if}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>Your complaint{{#if subjectLine}} about <strong>{{subjectLine}}</strong>{{/if}}, opened on {{openedOn}}, is still being worked on. We have not forgotten it.</p>
<p>If anything has changed on your side, just reply to this e-mail.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

Your complaint{{#if subjectLine}} about "{{subjectLine}}"{{/if}}, opened on {{openedOn}}, is still being worked on. We have not forgotten it.

If anything has changed on your side, just reply to this e-mail.`,
    tierNames: tiers.en,
  },
  es: {
    subject: 'Novedades sobre tu reclamación{{#if subjectLine}}: {{subjectLine}}{{/if}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Seguimos trabajando en tu reclamación{{#if subjectLine}} sobre <strong>{{subjectLine}}</strong>{{/if}}, abierta el {{openedOn}}. No la hemos olvidado.</p>
<p>Si algo ha cambiado por tu parte, responde a este correo.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Seguimos trabajando en tu reclamación{{#if subjectLine}} sobre "{{subjectLine}}"{{/if}}, abierta el {{openedOn}}. No la hemos olvidado.

Si algo ha cambiado por tu parte, responde a este correo.`,
    tierNames: tiers.es,
  },
  ro: {
    subject: 'Noutăți despre reclamația ta{{#if subjectLine}}: {{subjectLine}}{{/if}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Încă lucrăm la reclamația ta{{#if subjectLine}} despre <strong>{{subjectLine}}</strong>{{/if}}, deschisă pe {{openedOn}}. Nu am uitat de ea.</p>
<p>Dacă s-a schimbat ceva între timp, răspunde la acest e-mail.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Încă lucrăm la reclamația ta{{#if subjectLine}} despre „{{subjectLine}}”{{/if}}, deschisă pe {{openedOn}}. Nu am uitat de ea.

Dacă s-a schimbat ceva între timp, răspunde la acest e-mail.`,
    tierNames: tiers.ro,
  },
};

export const complaintResolvedTemplates: CampaignTemplates = {
  en: {
    subject: 'How did we do{{#if subjectLine}} with "{{subjectLine}}"{{/if}}?',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>Your complaint{{#if subjectLine}} about <strong>{{subjectLine}}</strong>{{/if}} has been resolved. Thank you for your patience.</p>
<p>How did we do? Reply to this e-mail and tell us; every answer is read by someone at {{brand}}.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

Your complaint{{#if subjectLine}} about "{{subjectLine}}"{{/if}} has been resolved. Thank you for your patience.

How did we do? Reply to this e-mail and tell us; every answer is read by someone at {{brand}}.`,
    tierNames: tiers.en,
  },
  es: {
    subject: '¿Qué tal lo hicimos{{#if subjectLine}} con "{{subjectLine}}"{{/if}}?',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Tu reclamación{{#if subjectLine}} sobre <strong>{{subjectLine}}</strong>{{/if}} está resuelta. Gracias por tu paciencia.</p>
<p>¿Qué tal lo hicimos? Responde a este correo y cuéntanoslo; en {{brand}} leemos todas las respuestas.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Tu reclamación{{#if subjectLine}} sobre "{{subjectLine}}"{{/if}} está resuelta. Gracias por tu paciencia.

¿Qué tal lo hicimos? Responde a este correo y cuéntanoslo; en {{brand}} leemos todas las respuestas.`,
    tierNames: tiers.es,
  },
  ro: {
    subject: 'Cum ne-am descurcat{{#if subjectLine}} cu „{{subjectLine}}”{{/if}}?',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Reclamația ta{{#if subjectLine}} despre <strong>{{subjectLine}}</strong>{{/if}} a fost rezolvată. Îți mulțumim pentru răbdare.</p>
<p>Cum ne-am descurcat? Răspunde la acest e-mail și spune-ne; la {{brand}} citim fiecare răspuns.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Reclamația ta{{#if subjectLine}} despre „{{subjectLine}}”{{/if}} a fost rezolvată. Îți mulțumim pentru răbdare.

Cum ne-am descurcat? Răspunde la acest e-mail și spune-ne; la {{brand}} citim fiecare răspuns.`,
    tierNames: tiers.ro,
  },
};

export const detractorFollowUpTemplates: CampaignTemplates = {
  en: {
    subject: 'We fell short{{#if name}}, {{name}}{{/if}}: thank you for telling us',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>You answered our survey with a {{score}} out of 10. That tells us we fell short, and we are sorry.</p>
<p>Someone at {{brand}} would like to put it right: reply to this e-mail and tell us what went wrong.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

You answered our survey with a {{score}} out of 10. That tells us we fell short, and we are sorry.

Someone at {{brand}} would like to put it right: reply to this e-mail and tell us what went wrong.`,
    tierNames: tiers.en,
  },
  es: {
    subject: 'No estuvimos a la altura{{#if name}}, {{name}}{{/if}}: gracias por decírnoslo',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Respondiste a nuestra encuesta con un {{score}} sobre 10. Eso nos dice que no estuvimos a la altura, y lo sentimos.</p>
<p>En {{brand}} queremos arreglarlo: responde a este correo y cuéntanos qué falló.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Respondiste a nuestra encuesta con un {{score}} sobre 10. Eso nos dice que no estuvimos a la altura, y lo sentimos.

En {{brand}} queremos arreglarlo: responde a este correo y cuéntanos qué falló.`,
    tierNames: tiers.es,
  },
  ro: {
    subject: 'Nu ne-am ridicat la înălțime{{#if name}}, {{name}}{{/if}}: mulțumim că ne-ai spus',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Ai răspuns la sondajul nostru cu nota {{score}} din 10. Asta ne spune că nu ne-am ridicat la înălțime și ne pare rău.</p>
<p>Cineva de la {{brand}} vrea să îndrepte lucrurile: răspunde la acest e-mail și spune-ne ce nu a mers.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Ai răspuns la sondajul nostru cu nota {{score}} din 10. Asta ne spune că nu ne-am ridicat la înălțime și ne pare rău.

Cineva de la {{brand}} vrea să îndrepte lucrurile: răspunde la acest e-mail și spune-ne ce nu a mers.`,
    tierNames: tiers.ro,
  },
};
