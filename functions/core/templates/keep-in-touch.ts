import type { CampaignTemplates } from './types.js';

/**
 * Keep-in-touch e-mails, one per content (campaigns/keep-in-touch-content.ts): something of value,
 * never an offer. Numbers come as phrases with their unit in the right plural form (`balance`
 * "1,500 points", `years` "3 years"); reward names and news are the business's own text.
 */

/** `tierStanding` is the tierProgress content on the top tier, which has no next tier to tell of. */
export const keepInTouchVariants = ['points', 'tierProgress', 'tierStanding', 'anniversary', 'news'] as const;
export type KeepInTouchVariant = (typeof keepInTouchVariants)[number];

/** A word by Intl.PluralRules category; `other` when the category has no form of its own. */
export type PluralWords = { readonly other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

export const keepInTouchUnits: Readonly<Record<'en' | 'es' | 'ro', { readonly point: PluralWords; readonly year: PluralWords }>> = {
  en: { point: { one: 'point', other: 'points' }, year: { one: 'year', other: 'years' } },
  es: { point: { one: 'punto', other: 'puntos' }, year: { one: 'año', other: 'años' } },
  // 1 punct, 2–19 puncte, 20 de puncte.
  ro: { point: { one: 'punct', few: 'puncte', other: 'de puncte' }, year: { one: 'an', few: 'ani', other: 'de ani' } },
};

const tierNames = {
  en: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  es: { standard: 'Estándar', silver: 'Plata', gold: 'Oro', diamond: 'Diamante' },
  ro: { standard: 'Standard', silver: 'Argint', gold: 'Aur', diamond: 'Diamant' },
} as const;

/** Points: the balance and what it buys now, or how far the next reward is; with none, how to earn them. */
const points: CampaignTemplates = {
  en: {
    subject: '{{#if reward}}{{#if name}}{{name}}, your{{else}}Your{{/if}} points are enough for {{reward}} at {{brand}}{{else if points}}{{#if name}}{{name}}, you{{else}}You{{/if}} have {{balance}} at {{brand}}{{else}}{{#if name}}{{name}}, how{{else}}How{{/if}} to earn points at {{brand}}{{/if}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
{{#if points}}<p>You have <strong>{{balance}}</strong> as a <strong>{{tierName}}</strong> member.</p>
<p>{{#if reward}}That is enough for <strong>{{reward}}</strong> right now{{#if nextReward}}, and another {{toNextReward}} would get you {{nextReward}}{{/if}}.{{else if nextReward}}Another <strong>{{toNextReward}}</strong> and they get you <strong>{{nextReward}}</strong>.{{else}}Your points go towards your next purchase or service.{{/if}}</p>
{{else}}<p>Every purchase and service earns you points{{#if nextReward}}: <strong>{{toNextReward}}</strong> get you <strong>{{nextReward}}</strong>{{/if}}.</p>
<p>You are a <strong>{{tierName}}</strong> member.</p>
{{/if}}<p>Thank you for being with us.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

{{#if points}}You have {{balance}} as a {{tierName}} member.

{{#if reward}}That is enough for {{reward}} right now{{#if nextReward}}, and another {{toNextReward}} would get you {{nextReward}}{{/if}}.{{else if nextReward}}Another {{toNextReward}} and they get you {{nextReward}}.{{else}}Your points go towards your next purchase or service.{{/if}}{{else}}Every purchase and service earns you points{{#if nextReward}}: {{toNextReward}} get you {{nextReward}}{{/if}}.

You are a {{tierName}} member.{{/if}}

Thank you for being with us.`,
    tierNames: tierNames.en,
  },
  es: {
    subject: '{{#if reward}}{{#if name}}{{name}}, tus{{else}}Tus{{/if}} puntos ya te alcanzan para {{reward}} en {{brand}}{{else if points}}{{#if name}}{{name}}, tienes{{else}}Tienes{{/if}} {{balance}} en {{brand}}{{else}}{{#if name}}{{name}}, cómo{{else}}Cómo{{/if}} ganar puntos en {{brand}}{{/if}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
{{#if points}}<p>Tienes <strong>{{balance}}</strong> como cliente <strong>{{tierName}}</strong>.</p>
<p>{{#if reward}}Ya te alcanzan para <strong>{{reward}}</strong>{{#if nextReward}}, y con {{toNextReward}} más tendrás {{nextReward}}{{/if}}.{{else if nextReward}}Con <strong>{{toNextReward}}</strong> más tendrás <strong>{{nextReward}}</strong>.{{else}}Puedes usar tus puntos en tu próxima compra o servicio.{{/if}}</p>
{{else}}<p>Cada compra y cada servicio te dan puntos{{#if nextReward}}: con <strong>{{toNextReward}}</strong> tendrás <strong>{{nextReward}}</strong>{{/if}}.</p>
<p>Eres cliente <strong>{{tierName}}</strong>.</p>
{{/if}}<p>Gracias por seguir con nosotros.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

{{#if points}}Tienes {{balance}} como cliente {{tierName}}.

{{#if reward}}Ya te alcanzan para {{reward}}{{#if nextReward}}, y con {{toNextReward}} más tendrás {{nextReward}}{{/if}}.{{else if nextReward}}Con {{toNextReward}} más tendrás {{nextReward}}.{{else}}Puedes usar tus puntos en tu próxima compra o servicio.{{/if}}{{else}}Cada compra y cada servicio te dan puntos{{#if nextReward}}: con {{toNextReward}} tendrás {{nextReward}}{{/if}}.

Eres cliente {{tierName}}.{{/if}}

Gracias por seguir con nosotros.`,
    tierNames: tierNames.es,
  },
  ro: {
    subject: '{{#if reward}}{{#if name}}{{name}}, punctele{{else}}Punctele{{/if}} tale îți ajung pentru {{reward}} la {{brand}}{{else if points}}{{#if name}}{{name}}, ai{{else}}Ai{{/if}} {{balance}} la {{brand}}{{else}}{{#if name}}{{name}}, cum{{else}}Cum{{/if}} strângi puncte la {{brand}}{{/if}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
{{#if points}}<p>Ai <strong>{{balance}}</strong> ca membru <strong>{{tierName}}</strong>.</p>
<p>{{#if reward}}Îți ajung chiar acum pentru <strong>{{reward}}</strong>{{#if nextReward}}, iar cu încă {{toNextReward}} ai {{nextReward}}{{/if}}.{{else if nextReward}}Cu încă <strong>{{toNextReward}}</strong> ai <strong>{{nextReward}}</strong>.{{else}}Punctele tale pot fi folosite la următoarea achiziție sau serviciu.{{/if}}</p>
{{else}}<p>Fiecare achiziție și fiecare serviciu îți aduc puncte{{#if nextReward}}: cu <strong>{{toNextReward}}</strong> ai <strong>{{nextReward}}</strong>{{/if}}.</p>
<p>Ești membru <strong>{{tierName}}</strong>.</p>
{{/if}}<p>Îți mulțumim că ești alături de noi.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

{{#if points}}Ai {{balance}} ca membru {{tierName}}.

{{#if reward}}Îți ajung chiar acum pentru {{reward}}{{#if nextReward}}, iar cu încă {{toNextReward}} ai {{nextReward}}{{/if}}.{{else if nextReward}}Cu încă {{toNextReward}} ai {{nextReward}}.{{else}}Punctele tale pot fi folosite la următoarea achiziție sau serviciu.{{/if}}{{else}}Fiecare achiziție și fiecare serviciu îți aduc puncte{{#if nextReward}}: cu {{toNextReward}} ai {{nextReward}}{{/if}}.

Ești membru {{tierName}}.{{/if}}

Îți mulțumim că ești alături de noi.`,
    tierNames: tierNames.ro,
  },
};

/** Tier progress: where the customer stands and how far the next tier is. */
const tierProgress: CampaignTemplates = {
  en: {
    subject: '{{#if toNextTier}}{{#if name}}{{name}}, {{/if}}{{toNextTier}} to {{nextTierName}} at {{brand}}{{else}}{{#if name}}{{name}}, you{{else}}You{{/if}} have the points for {{nextTierName}} at {{brand}}{{/if}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>You are a <strong>{{tierName}}</strong> member with <strong>{{balance}}</strong>.</p>
<p>{{#if toNextTier}}Another <strong>{{toNextTier}}</strong> and you reach <strong>{{nextTierName}}</strong>, which asks for {{nextTierPoints}}.{{else}}You already have the {{nextTierPoints}} that <strong>{{nextTierName}}</strong> asks for.{{/if}}</p>
<p>Every purchase and service brings you closer. Thank you for being with us.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

You are a {{tierName}} member with {{balance}}.

{{#if toNextTier}}Another {{toNextTier}} and you reach {{nextTierName}}, which asks for {{nextTierPoints}}.{{else}}You already have the {{nextTierPoints}} that {{nextTierName}} asks for.{{/if}}

Every purchase and service brings you closer. Thank you for being with us.`,
    tierNames: tierNames.en,
  },
  es: {
    subject: '{{#if toNextTier}}{{#if name}}{{name}}, {{/if}}{{toNextTier}} más y llegas a {{nextTierName}} en {{brand}}{{else}}{{#if name}}{{name}}, ya{{else}}Ya{{/if}} tienes los puntos de {{nextTierName}} en {{brand}}{{/if}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Eres cliente <strong>{{tierName}}</strong> con <strong>{{balance}}</strong>.</p>
<p>{{#if toNextTier}}Con <strong>{{toNextTier}}</strong> más llegas a <strong>{{nextTierName}}</strong>, que pide {{nextTierPoints}}.{{else}}Ya tienes los {{nextTierPoints}} que pide <strong>{{nextTierName}}</strong>.{{/if}}</p>
<p>Cada compra y cada servicio te acercan. Gracias por seguir con nosotros.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Eres cliente {{tierName}} con {{balance}}.

{{#if toNextTier}}Con {{toNextTier}} más llegas a {{nextTierName}}, que pide {{nextTierPoints}}.{{else}}Ya tienes los {{nextTierPoints}} que pide {{nextTierName}}.{{/if}}

Cada compra y cada servicio te acercan. Gracias por seguir con nosotros.`,
    tierNames: tierNames.es,
  },
  ro: {
    subject: '{{#if toNextTier}}{{#if name}}{{name}}, încă{{else}}Încă{{/if}} {{toNextTier}} până la {{nextTierName}} la {{brand}}{{else}}{{#if name}}{{name}}, ai{{else}}Ai{{/if}} punctele pentru {{nextTierName}} la {{brand}}{{/if}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Ești membru <strong>{{tierName}}</strong> cu <strong>{{balance}}</strong>.</p>
<p>{{#if toNextTier}}Cu încă <strong>{{toNextTier}}</strong> ajungi la <strong>{{nextTierName}}</strong>, pentru care sunt necesare {{nextTierPoints}}.{{else}}Ai deja cele {{nextTierPoints}} necesare pentru <strong>{{nextTierName}}</strong>.{{/if}}</p>
<p>Fiecare achiziție și fiecare serviciu te aduc mai aproape. Îți mulțumim că ești alături de noi.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Ești membru {{tierName}} cu {{balance}}.

{{#if toNextTier}}Cu încă {{toNextTier}} ajungi la {{nextTierName}}, pentru care sunt necesare {{nextTierPoints}}.{{else}}Ai deja cele {{nextTierPoints}} necesare pentru {{nextTierName}}.{{/if}}

Fiecare achiziție și fiecare serviciu te aduc mai aproape. Îți mulțumim că ești alături de noi.`,
    tierNames: tierNames.ro,
  },
};

/**
 * Tier standing: the tierProgress content on the top tier. The customer is at the highest tier, and
 * with more points than it asks for, by how many (`aboveTier`, of `tierPoints`); below them (a tier
 * the business gave), no numbers at all. Never a promise about keeping the tier.
 */
const tierStanding: CampaignTemplates = {
  en: {
    subject: '{{#if name}}{{name}}, thank{{else}}Thank{{/if}} you for being a {{tierName}} member at {{brand}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>You are a <strong>{{tierName}}</strong> member, the highest tier at {{brand}}.</p>
{{#if aboveTier}}<p>You have <strong>{{balance}}</strong>: <strong>{{aboveTier}}</strong> more than the {{tierPoints}} that <strong>{{tierName}}</strong> asks for.</p>
{{/if}}<p>Thank you for your loyalty and for being with us.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

You are a {{tierName}} member, the highest tier at {{brand}}.

{{#if aboveTier}}You have {{balance}}: {{aboveTier}} more than the {{tierPoints}} that {{tierName}} asks for.

{{/if}}Thank you for your loyalty and for being with us.`,
    tierNames: tierNames.en,
  },
  es: {
    subject: '{{#if name}}{{name}}, gracias{{else}}Gracias{{/if}} por ser cliente {{tierName}} de {{brand}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Eres cliente <strong>{{tierName}}</strong>, el nivel más alto de {{brand}}.</p>
{{#if aboveTier}}<p>Tienes <strong>{{balance}}</strong>: <strong>{{aboveTier}}</strong> más de los {{tierPoints}} que pide <strong>{{tierName}}</strong>.</p>
{{/if}}<p>Gracias por tu confianza y por seguir con nosotros.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Eres cliente {{tierName}}, el nivel más alto de {{brand}}.

{{#if aboveTier}}Tienes {{balance}}: {{aboveTier}} más de los {{tierPoints}} que pide {{tierName}}.

{{/if}}Gracias por tu confianza y por seguir con nosotros.`,
    tierNames: tierNames.es,
  },
  ro: {
    subject: '{{#if name}}{{name}}, îți{{else}}Îți{{/if}} mulțumim că ești membru {{tierName}} la {{brand}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Ești membru <strong>{{tierName}}</strong>, cel mai înalt nivel de la {{brand}}.</p>
{{#if aboveTier}}<p>Ai <strong>{{balance}}</strong>, cu <strong>{{aboveTier}}</strong> peste cele {{tierPoints}} necesare pentru <strong>{{tierName}}</strong>.</p>
{{/if}}<p>Îți mulțumim pentru încredere și că ești alături de noi.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Ești membru {{tierName}}, cel mai înalt nivel de la {{brand}}.

{{#if aboveTier}}Ai {{balance}}, cu {{aboveTier}} peste cele {{tierPoints}} necesare pentru {{tierName}}.

{{/if}}Îți mulțumim pentru încredere și că ești alături de noi.`,
    tierNames: tierNames.ro,
  },
};

/** Anniversary: N years with the brand. */
const anniversary: CampaignTemplates = {
  en: {
    subject: '{{#if name}}{{name}}, {{/if}}{{years}} with {{brand}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>You have been with {{brand}} since {{memberSince}}: <strong>{{years}}</strong> together. Thank you for your trust.</p>
<p>You are a <strong>{{tierName}}</strong> member{{#if points}} with <strong>{{balance}}</strong>{{/if}}.</p>
<p>Here is to many more.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

You have been with {{brand}} since {{memberSince}}: {{years}} together. Thank you for your trust.

You are a {{tierName}} member{{#if points}} with {{balance}}{{/if}}.

Here is to many more.`,
    tierNames: tierNames.en,
  },
  es: {
    subject: '{{#if name}}{{name}}, {{/if}}{{years}} con {{brand}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
<p>Estás con {{brand}} desde el {{memberSince}}: <strong>{{years}}</strong> juntos. Gracias por tu confianza.</p>
<p>Eres cliente <strong>{{tierName}}</strong>{{#if points}} con <strong>{{balance}}</strong>{{/if}}.</p>
<p>Por muchos más.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

Estás con {{brand}} desde el {{memberSince}}: {{years}} juntos. Gracias por tu confianza.

Eres cliente {{tierName}}{{#if points}} con {{balance}}{{/if}}.

Por muchos más.`,
    tierNames: tierNames.es,
  },
  ro: {
    subject: '{{#if name}}{{name}}, {{/if}}{{years}} cu {{brand}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
<p>Ești alături de {{brand}} din {{memberSince}}: <strong>{{years}}</strong> împreună. Îți mulțumim pentru încredere.</p>
<p>Ești membru <strong>{{tierName}}</strong>{{#if points}} cu <strong>{{balance}}</strong>{{/if}}.</p>
<p>La mulți ani împreună!</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

Ești alături de {{brand}} din {{memberSince}}: {{years}} împreună. Îți mulțumim pentru încredere.

Ești membru {{tierName}}{{#if points}} cu {{balance}}{{/if}}.

La mulți ani împreună!`,
    tierNames: tierNames.ro,
  },
};

// The business's news: paragraphs split on blank lines and lines on single breaks, each escaped on its own.
const newsHtml = `<p><strong>{{newsTitle}}</strong></p>
{{#each newsParagraphs}}<p>{{#each this}}{{#unless @first}}<br>{{/unless}}{{this}}{{/each}}</p>
{{/each}}`;

/** News: what the business wrote, in the customer's language or else English. */
const news: CampaignTemplates = {
  en: {
    subject: 'News from {{brand}}: {{newsTitle}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
${newsHtml}<p>Thank you for being with us.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

{{newsTitle}}

{{newsBody}}

Thank you for being with us.`,
    tierNames: tierNames.en,
  },
  es: {
    subject: 'Novedades de {{brand}}: {{newsTitle}}',
    html: `<p>Hola{{#if name}} {{name}}{{/if}}:</p>
${newsHtml}<p>Gracias por seguir con nosotros.</p>`,
    text: `Hola{{#if name}} {{name}}{{/if}}:

{{newsTitle}}

{{newsBody}}

Gracias por seguir con nosotros.`,
    tierNames: tierNames.es,
  },
  ro: {
    subject: 'Noutăți de la {{brand}}: {{newsTitle}}',
    html: `<p>Bună{{#if name}}, {{name}}{{/if}},</p>
${newsHtml}<p>Îți mulțumim că ești alături de noi.</p>`,
    text: `Bună{{#if name}}, {{name}}{{/if}},

{{newsTitle}}

{{newsBody}}

Îți mulțumim că ești alături de noi.`,
    tierNames: tierNames.ro,
  },
};

export const keepInTouchTemplates: Readonly<Record<KeepInTouchVariant, CampaignTemplates>> = { points, tierProgress, tierStanding, anniversary, news };
