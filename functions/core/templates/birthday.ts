import type { CampaignTemplates } from './types.js';

export const birthdayTemplates: CampaignTemplates = {
  en: {
    subject: 'Happy birthday{{#if name}}, {{name}}{{/if}}!',
    html: `<p>Happy birthday{{#if name}}, {{name}}{{/if}}!</p>
<p>Everyone at {{brand}} wishes you a wonderful day.{{#if points}} You have <strong>{{points}}</strong> points waiting for you as a {{tierName}} member.{{/if}}</p>
<p>Enjoy your day!</p>`,
    text: `Happy birthday{{#if name}}, {{name}}{{/if}}!

Everyone at {{brand}} wishes you a wonderful day.{{#if points}} You have {{points}} points waiting for you as a {{tierName}} member.{{/if}}

Enjoy your day!`,
    tierNames: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  },
  es: {
    subject: '¡Feliz cumpleaños{{#if name}}, {{name}}{{/if}}!',
    html: `<p>¡Feliz cumpleaños{{#if name}}, {{name}}{{/if}}!</p>
<p>Todo el equipo de {{brand}} te desea un día estupendo.{{#if points}} Tienes <strong>{{points}}</strong> puntos esperándote como cliente {{tierName}}.{{/if}}</p>
<p>¡Que lo disfrutes!</p>`,
    text: `¡Feliz cumpleaños{{#if name}}, {{name}}{{/if}}!

Todo el equipo de {{brand}} te desea un día estupendo.{{#if points}} Tienes {{points}} puntos esperándote como cliente {{tierName}}.{{/if}}

¡Que lo disfrutes!`,
    tierNames: { standard: 'Estándar', silver: 'Plata', gold: 'Oro', diamond: 'Diamante' },
  },
  ro: {
    subject: 'La mulți ani{{#if name}}, {{name}}{{/if}}!',
    html: `<p>La mulți ani{{#if name}}, {{name}}{{/if}}!</p>
<p>Toată echipa {{brand}} îți dorește o zi minunată.{{#if points}} Ai <strong>{{points}}</strong> de puncte care te așteaptă ca membru {{tierName}}.{{/if}}</p>
<p>Să ai o zi frumoasă!</p>`,
    text: `La mulți ani{{#if name}}, {{name}}{{/if}}!

Toată echipa {{brand}} îți dorește o zi minunată.{{#if points}} Ai {{points}} de puncte care te așteaptă ca membru {{tierName}}.{{/if}}

Să ai o zi frumoasă!`,
    tierNames: { standard: 'Standard', silver: 'Argint', gold: 'Aur', diamond: 'Diamant' },
  },
};
