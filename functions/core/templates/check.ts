import Handlebars from 'handlebars';
import { Tokenizer } from 'htmlparser2';
import { defaultConfig, type Brand, type RetentionConfig } from '../config.js';
import { locales } from '../records.js';
import { localeFor, partialNames, renderParts, renderTemplate } from './index.js';
import { sampleCases } from './samples.js';
import { partFiles } from './template-files.js';
import { templateKeys, type TemplateKey, type TemplateSet, type TemplateSource } from './types.js';

/**
 * What `retention templates push` checks before a version may be sent to anyone: every variable is one
 * the e-mail has, only Handlebars' own helpers and our partials, HTML that cannot swallow the footer
 * (its preference and unsubscribe links), a one-line subject of a sensible length, and a render for a
 * sample customer of every tier and language. Errors refuse the version; warnings are shown and let it
 * through (a language without a template, whose customers get the fallback).
 */

export interface TemplateCheck {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** What a variable holds: a value to show, a list (for `#each`), or named fields. */
type Shape = 'value' | { readonly list: Shape } | { readonly fields: Readonly<Record<string, Shape>> };

const common = ['name', 'brand', 'accentColor', 'points', 'balance', 'tierName', 'preferencesUrl', 'unsubscribeUrl'] as const;
const complaint = ['subjectLine', 'openedOn'] as const;
const surveyLinks: Shape = { list: { fields: { score: 'value', url: 'value' } } };

/** The variables each template may use (index.ts and keep-in-touch-data.ts give them values). */
const variablesOf: Readonly<Record<TemplateKey, Readonly<Record<string, Shape>>>> = (() => {
  const values = (...names: readonly string[]) => Object.fromEntries([...common, ...names].map((name) => [name, 'value' as Shape]));
  return {
    birthday: values(),
    renewal: values('plan', 'endsOn'),
    survey: { ...values(), surveyLinks },
    complaintApology: values(...complaint),
    complaintCheckIn: values(...complaint),
    complaintResolved: values(...complaint),
    detractorFollowUp: values('score'),
    keepInTouchPoints: values('reward', 'nextReward', 'toNextReward'),
    keepInTouchTierProgress: values('nextTierName', 'nextTierPoints', 'toNextTier'),
    keepInTouchTierStanding: values('tierPoints', 'aboveTier'),
    keepInTouchAnniversary: values('years', 'memberSince'),
    keepInTouchNews: { ...values('newsTitle', 'newsBody'), newsParagraphs: { list: { list: 'value' } } },
  };
})();

/** The variables of a template, for a message naming them. */
export const variableNamesOf = (key: TemplateKey): string[] => Object.keys(variablesOf[key]);

const blockHelpers = new Set(['if', 'unless', 'each', 'with']);
const iterationData = new Set(['index', 'first', 'last', 'key']);

/** Subjects longer than this are cut off by most inboxes; longer than the limit, refused. */
export const SUBJECT_WARN_LENGTH = 78;
export const SUBJECT_MAX_LENGTH = 120;

/** Tags a body may not hold: they would run, restyle or restructure the whole e-mail, not the body. */
const forbiddenTags = new Set(['script', 'style', 'link', 'meta', 'html', 'head', 'body', 'title', 'iframe', 'object', 'embed', 'form', 'input', 'button', 'base']);
const voidTags = new Set(['area', 'br', 'col', 'hr', 'img', 'wbr', 'source', 'track']);

type Node = hbs.AST.Node;

/** Every problem of one source's variables, helpers and partials, `where` naming its file. */
const sourceProblems = (source: string, where: string, key: TemplateKey, part: keyof TemplateSource): string[] => {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    return [`${where}: not a valid template: ${(error as Error).message.split('\n')[0]}`];
  }
  const problems: string[] = [];
  const at = (node: Node) => `${where} line ${node.loc.start.line}`;
  const known = variablesOf[key];
  /** Scopes from the root outwards: what `this` is in each (`../` climbs one), and whether it is an `#each` item. */
  const resolve = (path: hbs.AST.PathExpression, scopes: readonly { shape: Shape; inEach: boolean }[]): Shape | undefined => {
    if (path.data) {
      if (scopes[scopes.length - 1]!.inEach && path.parts.length === 1 && iterationData.has(path.parts[0]!)) return 'value';
      problems.push(`${at(path)}: unknown {{${path.original}}} (only @index, @first, @last inside #each)`);
      return undefined;
    }
    const scope = scopes[scopes.length - 1 - path.depth];
    if (!scope) {
      problems.push(`${at(path)}: {{${path.original}}} climbs out of the template`);
      return undefined;
    }
    let shape: Shape = scope.shape;
    for (const part of path.parts) {
      const fields = typeof shape === 'object' && 'fields' in shape ? shape.fields : undefined;
      const next = fields?.[part];
      if (!next) {
        const names = fields ? Object.keys(fields).join(', ') : 'none';
        problems.push(`${at(path)}: unknown variable {{${path.original}}} (${scopes.length - path.depth === 1 ? `this e-mail has: ${names}` : `here: ${names}`})`);
        return undefined;
      }
      shape = next;
    }
    return shape;
  };
  const walk = (nodes: readonly Node[], scopes: { shape: Shape; inEach: boolean }[]): void => {
    for (const node of nodes) {
      switch (node.type) {
        case 'ContentStatement':
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const mustache = node as hbs.AST.MustacheStatement;
          if (mustache.params.length || (mustache.hash && mustache.hash.pairs.length) || mustache.path.type !== 'PathExpression') {
            problems.push(`${at(node)}: {{${describe(mustache.path)} …}} calls a helper; templates may use variables, #if, #unless, #each and #with only`);
            break;
          }
          if (!mustache.escaped && part === 'html') {
            problems.push(`${at(node)}: {{{${describe(mustache.path)}}}} writes the value as HTML; use {{${describe(mustache.path)}}} so a customer's data stays text`);
          }
          const shape = resolve(mustache.path as hbs.AST.PathExpression, scopes);
          if (shape && shape !== 'value') problems.push(`${at(node)}: {{${describe(mustache.path)}}} is a list; show its items with {{#each ${describe(mustache.path)}}}`);
          break;
        }
        case 'BlockStatement': {
          const block = node as hbs.AST.BlockStatement;
          const helper = describe(block.path);
          if (!blockHelpers.has(helper) || block.params.length !== 1 || block.params[0]!.type !== 'PathExpression') {
            problems.push(`${at(node)}: {{#${helper}}} is not allowed; templates may use #if, #unless, #each and #with, each with one variable`);
            break;
          }
          const shape = resolve(block.params[0] as hbs.AST.PathExpression, scopes);
          if (helper === 'each' && shape && !(typeof shape === 'object' && 'list' in shape)) problems.push(`${at(node)}: {{#each ${describe(block.params[0]!)}}} needs a list`);
          const inner = helper === 'each' && shape && typeof shape === 'object' && 'list' in shape ? { shape: shape.list, inEach: true } : helper === 'with' && shape ? { shape, inEach: false } : undefined;
          walk(block.program.body, inner ? [...scopes, inner] : scopes);
          if (block.inverse) walk(block.inverse.body, scopes);
          break;
        }
        case 'PartialStatement': {
          const name = describe((node as hbs.AST.PartialStatement).name);
          if (!partialNames.includes(name)) problems.push(`${at(node)}: no partial {{> ${name}}} (there is: ${partialNames.join(', ')})`);
          break;
        }
        default:
          problems.push(`${at(node)}: ${node.type} is not allowed in a template`);
      }
    }
  };
  walk(program.body, [{ shape: { fields: known }, inEach: false }]);
  return problems;
};

const describe = (node: Node): string =>
  node.type === 'PathExpression' ? (node as hbs.AST.PathExpression).original : node.type === 'StringLiteral' ? String((node as hbs.AST.StringLiteral).value) : node.type;

/** What is wrong with a rendered body's HTML: a tag it may not hold, or one left open (it would swallow the footer). */
export const bodyHtmlProblems = (html: string): string[] => {
  const problems = new Set<string>();
  const open: string[] = [];
  let tag = '';
  const ignore = () => {};
  // The tokenizer, not the parser: the parser mends markup (closes what is left open, drops a stray
  // close tag), and what it would mend is exactly what a body must not do to the layout around it.
  const tokenizer = new Tokenizer({ decodeEntities: true }, {
    onopentagname(start, end) {
      tag = html.slice(start, end).toLowerCase();
      if (forbiddenTags.has(tag)) problems.add(`<${tag}> is not allowed in a body`);
    },
    onopentagend() {
      if (!voidTags.has(tag)) open.push(tag);
    },
    onselfclosingtag() {
      if (!voidTags.has(tag)) problems.add(`<${tag}/> cannot close itself in HTML; write <${tag}></${tag}>`);
    },
    onclosetag(start, end) {
      const name = html.slice(start, end).toLowerCase();
      if (voidTags.has(name)) return;
      const at = open.lastIndexOf(name);
      if (at < 0) problems.add(`</${name}> closes nothing`);
      else {
        if (at !== open.length - 1) problems.add(`<${open[open.length - 1]}> is not closed before </${name}>`);
        open.length = at;
      }
    },
    oncomment() {
      problems.add('an HTML comment (<!-- … -->) is not allowed: left open, it hides the rest of the e-mail');
    },
    oncdata: ignore, ondeclaration: ignore, onprocessinginstruction: ignore, onattribdata: ignore, onattribentity: ignore, onattribend: ignore, onattribname: ignore, ontext: ignore, ontextentity: ignore, onend: ignore,
  });
  tokenizer.write(html);
  tokenizer.end();
  for (const name of open) problems.add(`<${name}> is never closed`);
  return [...problems];
};

/** Checks a template set against every rule, rendering it for the sample customers with `brand`. */
export const checkTemplateSet = (set: TemplateSet, brand: Brand = defaultConfig.brand, config: RetentionConfig = defaultConfig): TemplateCheck => {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const key of templateKeys) {
    const localized = set[key];
    for (const locale of locales) {
      const source = localized[locale];
      if (!source) {
        warnings.push(`${key}: no ${locale} template; customers whose language is ${locale} get ${localeFor(localized, locale)}`);
        continue;
      }
      for (const part of ['subject', 'html', 'text'] as const) errors.push(...sourceProblems(source[part], `${key}/${locale}/${partFiles[part]}`, key, part));
      if (/[\r\n]/.test(source.subject)) errors.push(`${key}/${locale}/${partFiles.subject}: the subject must be one line`);
      if (key === 'survey') {
        for (const part of ['html', 'text'] as const) {
          if (!/\{\{>\s*surveyScores\s*\}\}|\{\{#each\s+surveyLinks\s*\}\}/.test(source[part])) errors.push(`${key}/${locale}/${partFiles[part]}: does not show the eleven answers ({{> surveyScores}}); a customer could not answer`);
        }
      }
    }
  }
  // Renders only what has no problem in its sources: the problems already say what would fail.
  const faulty = new Set(errors.map((error) => error.split('/').slice(0, 2).join('/')));
  const seen = new Set<string>();
  const once = (list: string[], message: string) => {
    if (!seen.has(message)) (seen.add(message), list.push(message));
  };
  for (const sample of sampleCases(brand, config)) {
    const where = `${sample.key}/${sample.locale} (sample: ${sample.label})`;
    if (!set[sample.key][sample.locale] || faulty.has(`${sample.key}/${sample.locale}`)) continue;
    let parts, email;
    try {
      parts = renderParts(sample.key, sample.customer, { ...sample.context, templates: set });
      email = renderTemplate(sample.key, sample.customer, { ...sample.context, templates: set });
    } catch (error) {
      once(errors, `${where}: does not render: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!email.subject) once(errors, `${where}: the subject is empty`);
    else if (email.subject.length > SUBJECT_MAX_LENGTH) once(errors, `${where}: the subject is ${email.subject.length} characters, more than ${SUBJECT_MAX_LENGTH}: "${email.subject}"`);
    else if (email.subject.length > SUBJECT_WARN_LENGTH) once(warnings, `${sample.key}/${sample.locale}: the subject can be ${email.subject.length} characters ("${email.subject}"); inboxes show about ${SUBJECT_WARN_LENGTH}`);
    for (const problem of bodyHtmlProblems(parts.bodyHtml)) once(errors, `${sample.key}/${sample.locale}/${partFiles.html}: ${problem}`);
    const { preferencesUrl, unsubscribeUrl } = sample.context;
    for (const [url, what] of [[preferencesUrl, 'preference'], [unsubscribeUrl, 'unsubscribe']] as const) {
      if (url && (!email.html.includes(`href="${Handlebars.escapeExpression(url)}"`) || !email.text.includes(url))) once(errors, `${where}: the ${what} link is missing from the e-mail`);
    }
    if (/\[object |undefined|NaN/.test(email.subject + email.text)) once(errors, `${where}: shows "[object …]", "undefined" or "NaN": a variable is not something to show`);
  }
  return { errors, warnings };
};
