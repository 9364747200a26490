import type { CampaignTemplates } from './types.js';

/** Something of value, never an offer: where the customer stands and what their points can do. */
export const keepInTouchTemplates: CampaignTemplates = {
  en: {
    subject: '{{#if name}}{{name}}, your{{else}}Your{{/if}} {{tierName}} membership at {{brand}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>A quick look at your membership: you are a <strong>{{tierName}}</strong> member{{#if points}} with <strong>{{points}}</strong> points{{/if}}.</p>
<p>{{#if points}}Your points can go towards your next purchase or service, and they count towards your next tier.{{else}}Every purchase earns points that count towards your next tier.{{/if}}</p>
<p>Thank you for being with us.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

A quick look at your membership: you are a {{tierName}} member{{#if points}} with {{points}} points{{/if}}.

{{#if points}}Your points can go towards your next purchase or service, and they count towards your next tier.{{else}}Every purchase earns points that count towards your next tier.{{/if}}

Thank you for being with us.`,
    tierNames: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  },
  es: {
    subject: '{{#if name}}{{name}}, tu{{else}}Tu{{/if}} membresía {{tierName}} en {{brand}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Un vistazo a tu membresía: eres cliente <strong>{{tierName}}</strong>{{#if points}} con <strong>{{points}}</strong> puntos{{/if}}.</p>
<p>{{#if points}}Puedes usar tus puntos en tu próxima compra o servicio, y cuentan para tu siguiente nivel.{{else}}Cada compra suma puntos para tu siguiente nivel.{{/if}}</p>
<p>Gracias por seguir con nosotros.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Un vistazo a tu membresía: eres cliente {{tierName}}{{#if points}} con {{points}} puntos{{/if}}.

{{#if points}}Puedes usar tus puntos en tu próxima compra o servicio, y cuentan para tu siguiente nivel.{{else}}Cada compra suma puntos para tu siguiente nivel.{{/if}}

Gracias por seguir con nosotros.`,
    tierNames: { standard: 'Estándar', silver: 'Plata', gold: 'Oro', diamond: 'Diamante' },
  },
  ro: {
    subject: '{{#if name}}{{name}}, statutul{{else}}Statutul{{/if}} tău {{tierName}} la {{brand}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>O privire asupra statutului tău: ești membru <strong>{{tierName}}</strong>{{#if points}} cu <strong>{{points}}</strong> de puncte{{/if}}.</p>
<p>{{#if points}}Punctele tale pot fi folosite la următoarea achiziție sau serviciu și contează pentru nivelul următor.{{else}}Fiecare achiziție îți aduce puncte pentru nivelul următor.{{/if}}</p>
<p>Îți mulțumim că ești alături de noi.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

O privire asupra statutului tău: ești membru {{tierName}}{{#if points}} cu {{points}} de puncte{{/if}}.

{{#if points}}Punctele tale pot fi folosite la următoarea achiziție sau serviciu și contează pentru nivelul următor.{{else}}Fiecare achiziție îți aduce puncte pentru nivelul următor.{{/if}}

Îți mulțumim că ești alături de noi.`,
    tierNames: { standard: 'Standard', silver: 'Argint', gold: 'Aur', diamond: 'Diamant' },
  },
};
