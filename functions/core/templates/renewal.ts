import type { CampaignTemplates } from './types.js';

/** Before a contract lapses: what ends, when, and that renewing keeps what they have. */
export const renewalTemplates: CampaignTemplates = {
  en: {
    subject: 'Your {{#if plan}}{{plan}} {{/if}}plan ends on {{endsOn}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>Your {{#if plan}}<strong>{{plan}}</strong> {{/if}}plan with {{brand}} ends on <strong>{{endsOn}}</strong>.</p>
<p>Renew before then to keep everything as it is{{#if points}}, including your {{points}} points as a {{tierName}} member{{/if}}.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

Your {{#if plan}}{{plan}} {{/if}}plan with {{brand}} ends on {{endsOn}}.

Renew before then to keep everything as it is{{#if points}}, including your {{points}} points as a {{tierName}} member{{/if}}.`,
    tierNames: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  },
  es: {
    subject: 'Tu plan {{#if plan}}{{plan}} {{/if}}termina el {{endsOn}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Tu plan {{#if plan}}<strong>{{plan}}</strong> {{/if}}con {{brand}} termina el <strong>{{endsOn}}</strong>.</p>
<p>Renuévalo antes para conservarlo todo tal como está{{#if points}}, también tus {{points}} puntos de cliente {{tierName}}{{/if}}.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Tu plan {{#if plan}}{{plan}} {{/if}}con {{brand}} termina el {{endsOn}}.

Renuévalo antes para conservarlo todo tal como está{{#if points}}, también tus {{points}} puntos de cliente {{tierName}}{{/if}}.`,
    tierNames: { standard: 'Estándar', silver: 'Plata', gold: 'Oro', diamond: 'Diamante' },
  },
  ro: {
    subject: 'Abonamentul tău {{#if plan}}{{plan}} {{/if}}se încheie pe {{endsOn}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Abonamentul tău {{#if plan}}<strong>{{plan}}</strong> {{/if}}la {{brand}} se încheie pe <strong>{{endsOn}}</strong>.</p>
<p>Reînnoiește-l înainte ca să păstrezi totul așa cum este{{#if points}}, inclusiv cele {{points}} de puncte de membru {{tierName}}{{/if}}.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Abonamentul tău {{#if plan}}{{plan}} {{/if}}la {{brand}} se încheie pe {{endsOn}}.

Reînnoiește-l înainte ca să păstrezi totul așa cum este{{#if points}}, inclusiv cele {{points}} de puncte de membru {{tierName}}{{/if}}.`,
    tierNames: { standard: 'Standard', silver: 'Argint', gold: 'Aur', diamond: 'Diamant' },
  },
};
