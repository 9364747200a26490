import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readTemplateDir } from '../../functions/cli/template-dir.js';
import { checkTemplateSet, SUBJECT_MAX_LENGTH } from '../../functions/core/templates/check.js';
import { shippedTemplates } from '../../functions/core/templates/index.js';
import { filesOfTemplateSet, templateSetFromFiles } from '../../functions/core/templates/template-files.js';
import type { TemplateSet } from '../../functions/core/templates/types.js';
import { shippedTemplatesModule, SHIPPED_TEMPLATES_DIR, SHIPPED_TEMPLATES_MODULE } from '../../scripts/shipped-templates.js';

/** The shipped set with one template's one language changed. */
const withChange = (key: keyof TemplateSet, locale: 'en' | 'es' | 'ro', change: Partial<{ subject: string; html: string; text: string }> | undefined): TemplateSet => {
  const set = structuredClone(shippedTemplates) as Record<string, Record<string, unknown>>;
  if (change) set[key]![locale] = { ...(set[key]![locale] as object), ...change };
  else delete set[key]![locale];
  return set as unknown as TemplateSet;
};
const errorsOf = (set: TemplateSet) => checkTemplateSet(set).errors;

describe('the shipped templates', () => {
  it('pass every check a push makes, without a warning', () => {
    expect(checkTemplateSet(shippedTemplates)).toEqual({ errors: [], warnings: [] });
  });

  it('are the files in templates/: the module the functions are bundled with is generated from them', async () => {
    const committed = await readFile(SHIPPED_TEMPLATES_MODULE, 'utf8');
    expect(committed, `${SHIPPED_TEMPLATES_MODULE} is stale: run npm run build:templates`).toBe(await shippedTemplatesModule(SHIPPED_TEMPLATES_DIR));
  });

  it('read back from their own files as they are', async () => {
    const { set, problems } = templateSetFromFiles(filesOfTemplateSet(shippedTemplates));
    expect(problems).toEqual([]);
    expect(set).toEqual(shippedTemplates);
    expect(Object.keys(await readTemplateDir(SHIPPED_TEMPLATES_DIR)).sort()).toEqual(Object.keys(filesOfTemplateSet(shippedTemplates)).sort());
  });
});

describe('template files', () => {
  const files = filesOfTemplateSet(shippedTemplates);
  it('name an unknown directory, language or file, a missing part and a missing English', () => {
    const { 'birthday/en/body.txt': _, ...withoutPart } = files;
    const noEnglish = Object.fromEntries(Object.entries(files).filter(([path]) => !path.startsWith('renewal/en/')));
    const noRenewal = Object.fromEntries(Object.entries(files).filter(([path]) => !path.startsWith('renewal/')));
    expect(templateSetFromFiles({ ...files, 'birthdy/en/subject.txt': 'x' }).problems).toEqual([expect.stringMatching(/^birthdy\/: not a template \(the templates are birthday, renewal/)]);
    expect(templateSetFromFiles({ ...files, 'birthday/fr/subject.txt': 'x' }).problems).toEqual([expect.stringMatching(/^birthday\/fr\/subject.txt: not a template file .*language one of en, es, ro/)]);
    expect(templateSetFromFiles({ ...files, 'birthday/en/body.htm': 'x' }).problems).toEqual([expect.stringMatching(/^birthday\/en\/body.htm: not a template file/)]);
    expect(templateSetFromFiles(withoutPart).problems).toEqual(['birthday/en/: missing body.txt']);
    expect(templateSetFromFiles(noEnglish).problems).toEqual([expect.stringMatching(/^renewal\/en\/: missing \(English is required/)]);
    expect(templateSetFromFiles(noRenewal).problems).toEqual([expect.stringMatching(/^renewal\/: missing/)]);
    expect(templateSetFromFiles(noRenewal).set).toBeUndefined();
  });

  it('lose the last newline an editor adds and Windows line ends, nothing else', () => {
    const { set } = templateSetFromFiles({ ...files, 'birthday/en/subject.txt': 'Hi {{name}}\r\n', 'birthday/en/body.txt': 'One\r\n\r\nTwo\n\n' });
    expect(set!.birthday.en.subject).toBe('Hi {{name}}');
    expect(set!.birthday.en.text).toBe('One\n\nTwo\n');
  });
});

describe('a template set is refused, naming the file, the line and what is wrong', () => {
  it.each([
    ['an unknown variable, with the ones the e-mail has', { html: '<p>Hello {{nmae}}</p>' }, /^birthday\/es\/body.html line 1: unknown variable \{\{nmae\}\} \(this e-mail has: name, brand, .*\)$/],
    ['a variable of another e-mail', { text: 'Your plan {{plan}}' }, /^birthday\/es\/body.txt line 1: unknown variable \{\{plan\}\}/],
    ['a helper call', { html: '<p>{{lookup name 0}}</p>' }, /^birthday\/es\/body.html line 1: \{\{lookup …\}\} calls a helper/],
    ['an unknown block helper', { html: '{{#each-in name}}x{{/each-in}}' }, /^birthday\/es\/body.html line 1: \{\{#each-in\}\} is not allowed/],
    ['triple braces in HTML (a name would become markup)', { html: '<p>{{{name}}}</p>' }, /\{\{\{name\}\}\} writes the value as HTML/],
    ['an unknown partial', { html: '{{> footer}}' }, /no partial \{\{> footer\}\} \(there is: surveyScores\)/],
    ['a syntax error', { html: '<p>{{#if name}}Hi</p>' }, /^birthday\/es\/body.html: not a valid template/],
    ['a subject on two lines', { subject: 'Happy\nbirthday' }, /^birthday\/es\/subject.txt: the subject must be one line$/],
    ['a tag left open: it would swallow the footer and its links', { html: '<p>Hi</p><div style="display:none">' }, /^birthday\/es\/body.html: <div> is never closed$/],
    ['a stray close tag', { html: '<p>Hi</p></td></tr></table>' }, /^birthday\/es\/body.html: <\/td> closes nothing$/],
    ['tags closed in the wrong order', { html: '<p><strong>Hi</p></strong>' }, /<strong> is not closed before <\/p>/],
    ['an HTML comment', { html: '<p>Hi</p><!-- the rest' }, /an HTML comment .* is not allowed/],
    ['a script', { html: '<script>alert(1)</script>' }, /<script> is not allowed in a body/],
    ['a style that would restyle the whole e-mail', { html: '<style>a{display:none}</style><p>Hi</p>' }, /<style> is not allowed in a body/],
    ['a list shown as a value', { text: '{{#each name}}x{{/each}}' }, /\{\{#each name\}\} needs a list/],
  ])('%s', (_, change, error) => {
    const errors = errorsOf(withChange('birthday', 'es', change));
    expect(errors).toContainEqual(expect.stringMatching(error));
    expect(errors.filter((message) => !message.startsWith('birthday/es/'))).toEqual([]);
  });

  it('a subject that renders longer than the limit for a sample customer, showing it', () => {
    const errors = errorsOf(withChange('renewal', 'en', { subject: `{{#if name}}{{name}}: {{/if}}your plan ends on {{endsOn}}, ${'really '.repeat(12)}` }));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^renewal/en \\(sample: .*named\\): the subject is \\d+ characters, more than ${SUBJECT_MAX_LENGTH}: "Alexandra Whitfield: your plan ends on April 30, 2027`)));
  });

  it('a survey without its eleven answers, in HTML or in text', () => {
    expect(errorsOf(withChange('survey', 'ro', { text: 'Cum ne-am descurcat?' }))).toEqual(['survey/ro/body.txt: does not show the eleven answers ({{> surveyScores}}); a customer could not answer']);
  });

  it('variables inside #each are the list items\' own, and ../ reaches the e-mail\'s', () => {
    expect(errorsOf(withChange('survey', 'en', { html: '{{#each surveyLinks}}<a href="{{url}}" style="color:{{../accentColor}}">{{score}}{{#if @first}}!{{/if}}</a>{{/each}}' }))).toEqual([]);
    expect(errorsOf(withChange('survey', 'en', { html: '{{#each surveyLinks}}<a href="{{link}}">{{score}}</a>{{/each}}' }))).toEqual([expect.stringMatching(/unknown variable \{\{link\}\} \(here: score, url\)/)]);
  });

  it('warns of a missing language, naming what its customers get instead, and lets it through', () => {
    expect(checkTemplateSet(withChange('renewal', 'ro', undefined))).toEqual({ errors: [], warnings: ['renewal: no ro template; customers whose language is ro get en'] });
  });
});
