import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoConfigStore } from '../adapters/dynamo-config.js';
import { DynamoCustomerStore } from '../adapters/dynamo-customers.js';
import { DynamoTemplateStore, SHIPPED_VERSION, TemplateStoreError } from '../adapters/dynamo-templates.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { senderAddress } from '../adapters/deploy-settings.js';
import type { TableNames } from '../adapters/tables.js';
import { sesClientConfig } from '../local/local-stack.js';
import type { RetentionConfig } from '../core/config.js';
import { maskEmail, maskEmailsIn } from '../core/mask.js';
import { UsageError } from './usage-error.js';
import { locales, parseStoredRecord, templateLocaleOf, tiers, type Customer, type Locale } from '../core/records.js';
import { checkTemplateSet } from '../core/templates/check.js';
import { renderTemplate } from '../core/templates/index.js';
import { sampleContext, sampleCustomer } from '../core/templates/samples.js';
import { filesOfTemplateSet, templateSetFromFiles } from '../core/templates/template-files.js';
import { templateKeys, type TemplateKey, type TemplateSet } from '../core/templates/types.js';
import { readTemplateDir, writeTemplateDir } from './template-dir.js';

/**
 * `retention templates`: the e-mails' words as files, on the local stack or a deployed one. `pull`
 * writes the active version, `push` checks a directory and makes it the active version, `rollback`
 * goes back to the one before, `versions` lists them, `preview` renders one e-mail to a file, and
 * `test-send` mails one to an address. The dispatcher uses a push or a rollback within a minute.
 */

export interface TargetOptions {
  stack?: string;
  outputs?: string;
  region?: string;
  profile?: string;
  dynamodbEndpoint?: string;
  tablePrefix?: string;
}

/** What main.ts lends these commands: where they work, how they say it, and how a file is served. */
/** What every command group that works on a stack's tables is given by the CLI (main.ts). */
export type TableCommandParts = Pick<TemplateCommandParts, 'targetOptions' | 'withDatabase' | 'log'>;

export interface TemplateCommandParts {
  readonly targetOptions: (command: Command) => Command;
  readonly withDatabase: <T>(options: TargetOptions, work: (db: DynamoDBDocumentClient, tables: TableNames) => Promise<T>) => Promise<T>;
  readonly log: (line: string) => void;
  readonly serveFile: (path: string, port: number) => Promise<{ url: string; stop: () => Promise<void> }>;
  readonly reportsDir: string;
}

const parseTemplateKey = (value: string): TemplateKey => {
  if (!(templateKeys as readonly string[]).includes(value)) throw new InvalidArgumentError(`'${value}' is not a template (the templates are ${templateKeys.join(', ')})`);
  return value as TemplateKey;
};
const parseLocale = (value: string): Locale => {
  if (!(locales as readonly string[]).includes(value)) throw new InvalidArgumentError(`'${value}' is not a language the templates are in (${locales.join(', ')})`);
  return value as Locale;
};
const parseTier = (value: string): Customer['tier'] => {
  if (!(tiers as readonly string[]).includes(value)) throw new InvalidArgumentError(`'${value}' is not a tier (${tiers.join(', ')})`);
  return value as Customer['tier'];
};
const parseVersion = (value: string): number => {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 0) throw new InvalidArgumentError(`'${value}' is not a version number (0 is the shipped templates)`);
  return version;
};

const versionName = (version: number) => (version === SHIPPED_VERSION ? 'version 0 (the shipped templates)' : `version ${version}`);

/** The files that differ between two sets: added, changed or removed. */
const changedFiles = (before: TemplateSet, after: TemplateSet): string[] => {
  const a = filesOfTemplateSet(before);
  const b = filesOfTemplateSet(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((path) => a[path] !== b[path]).sort();
};

interface RenderOptions {
  locale: Locale;
  tier: Customer['tier'];
  customer?: string;
  dir?: string;
}

export const registerTemplateCommands = (program: Command, parts: TemplateCommandParts): void => {
  const { targetOptions, withDatabase, log } = parts;
  const templates = program.command('templates').description('the e-mails as files: pull, check and push a new version, roll back, preview, test-send (the dispatcher uses a change within a minute)');

  /** Reads a directory of template files, or says why it is not one. */
  const readSet = async (dir: string): Promise<{ set?: TemplateSet; problems: readonly string[] }> => {
    try {
      return templateSetFromFiles(await readTemplateDir(dir));
    } catch (error) {
      throw new UsageError(`cannot read ${dir}: ${(error as Error).message}`);
    }
  };
  const storesOf = (db: DynamoDBDocumentClient, tables: TableNames) => ({ templates: new DynamoTemplateStore(db, tables.Control), config: new DynamoConfigStore(db, tables.Control) });
  const storeErrors = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw error instanceof TemplateStoreError ? new UsageError(error.message) : error;
    }
  };

  targetOptions(
    templates
      .command('pull')
      .description('write the active templates (or --version N) as files: <dir>/<template>/<language>/subject.txt, body.html, body.txt')
      .argument('<dir>', 'where to write them (files there with the same names are replaced)')
      .option('--version <n>', 'a version instead of the active one (0: the shipped templates)', parseVersion),
  ).action(async (dir: string, options: TargetOptions & { version?: number }) => {
    const pulled = await withDatabase(options, (db, tables) => storeErrors(async () => {
      const store = storesOf(db, tables).templates;
      return store.version(options.version ?? (await store.activeVersion()));
    }));
    const files = filesOfTemplateSet(pulled.set);
    await writeTemplateDir(dir, files);
    log(`${versionName(pulled.version)}${pulled.pushedAt ? `, pushed ${pulled.pushedAt}` : ''}: ${Object.keys(files).length} files written to ${dir}`);
  });

  targetOptions(
    templates
      .command('push')
      .description('check the templates in <dir> and make them the active version; refused with the reasons if any would fail, and then nothing changes')
      .argument('<dir>', 'a directory as `templates pull` writes it')
      .option('--dry-run', 'check only: say what a push would do'),
  ).action(async (dir: string, options: TargetOptions & { dryRun?: boolean }) => {
    const { set, problems } = await readSet(dir);
    const outcome = await withDatabase(options, async (db, tables) => {
      const stores = storesOf(db, tables);
      if (!set) return { kind: 'refused', refused: problems, warnings: [] as readonly string[] } as const;
      const config = await stores.config.get();
      const { errors, warnings } = checkTemplateSet(set, config.brand, config);
      if (errors.length) return { kind: 'refused', refused: errors, warnings } as const;
      const active = await storeErrors(() => stores.templates.active());
      const changed = changedFiles(active.set, set);
      if (!changed.length) return { kind: 'unchanged', version: active.version, warnings } as const;
      if (options.dryRun) return { kind: 'checked', changed, from: active.version, warnings } as const;
      const pushed = await storeErrors(() => stores.templates.push(set, new Date()));
      return { kind: 'pushed', pushed, changed, warnings } as const;
    });
    for (const warning of outcome.warnings) log(`warning: ${warning}`);
    if (outcome.kind === 'refused') {
      log(`push refused, nothing changed (${outcome.refused.length} problem${outcome.refused.length === 1 ? '' : 's'}):`);
      for (const problem of outcome.refused) log(`  ${problem}`);
      process.exitCode = 1;
    } else if (outcome.kind === 'unchanged') {
      log(`nothing to push: ${dir} holds the templates of the active ${versionName(outcome.version)}`);
    } else if (outcome.kind === 'checked') {
      log(`the templates pass every check; a push would make them the active version instead of ${versionName(outcome.from)}, changing ${outcome.changed.join(', ')}`);
    } else {
      log(`version ${outcome.pushed.version} is active (before it: ${versionName(outcome.pushed.previous)}), changing ${outcome.changed.join(', ')}`);
      log(`the dispatcher writes with it from its next run, within a minute; \`retention templates rollback\` goes back to ${versionName(outcome.pushed.previous)}`);
    }
  });

  targetOptions(templates.command('rollback').description('make the version active before the current one active again')).action(async (options: TargetOptions) => {
    const rolledBack = await withDatabase(options, (db, tables) => storeErrors(() => storesOf(db, tables).templates.rollback(new Date())));
    log(`${versionName(rolledBack.version)} is active again (instead of ${versionName(rolledBack.from)}); the dispatcher uses it within a minute`);
  });

  targetOptions(templates.command('versions').description('the template versions, newest first, and which is active')).action(async (options: TargetOptions) => {
    const { active, versions } = await withDatabase(options, (db, tables) => storesOf(db, tables).templates.list());
    for (const { version, pushedAt } of versions) log(`${version === active ? '* ' : '  '}${versionName(version)}${pushedAt ? `  pushed ${pushedAt}` : ''}`);
  });

  /** The e-mail `key` as the chosen customer (or sample) would get it, from the active templates or `--dir`, with the stack's brand. */
  const render = async (key: TemplateKey, options: TargetOptions & RenderOptions) => {
    const fromDir = options.dir !== undefined ? await readSet(options.dir) : undefined;
    if (fromDir && !fromDir.set) throw new UsageError(`${options.dir} does not hold the templates:\n  ${fromDir.problems.join('\n  ')}`);
    const { config, set, customer } = await withDatabase(options, async (db, tables) => {
      const stores = storesOf(db, tables);
      const config: RetentionConfig = await stores.config.get();
      const set = fromDir?.set ?? (await storeErrors(() => stores.templates.active())).set;
      return { config, set, customer: options.customer !== undefined ? await customerOf(db, tables, options.customer) : undefined };
    });
    const reader = customer ?? sampleCustomer(options.locale, options.tier, true);
    const who = customer ? `customer ${customer.customerId} (${customer.locale}, ${customer.tier})` : `a sample ${options.tier} customer in ${options.locale}`;
    return { email: renderTemplate(key, reader, { ...sampleContext(key, config.brand, config, templateLocaleOf(reader.locale)), templates: set }), who, config };
  };
  const customerOf = async (db: DynamoDBDocumentClient, tables: TableNames, customerId: string): Promise<Customer> => {
    const profile = (await new DynamoCustomerStore(db, tables.Customers).getProfiles([customerId])).get(customerId);
    if (!profile) throw new UsageError(maskEmailsIn(`no customer ${customerId} on record`));
    const parsed = parseStoredRecord(profile, 'customer', new Date());
    if (!parsed.ok) throw new UsageError(maskEmailsIn(`customer ${customerId}'s profile is not valid: ${parsed.rejection.reason}`));
    return parsed.record as Customer;
  };
  const renderOptions = (command: Command): Command =>
    targetOptions(
      command
        .argument('<template>', `one of ${templateKeys.join(', ')}`, parseTemplateKey)
        .option('--locale <language>', `a sample customer's language (${locales.join(', ')})`, parseLocale, 'en' as Locale)
        .option('--tier <tier>', `a sample customer's tier (${tiers.join(', ')})`, parseTier, 'gold' as Customer['tier'])
        .option('--customer <customerId>', 'as this customer on record would get it (their language, tier, name, points) instead of a sample')
        .option('--dir <dir>', 'the templates in this directory (before pushing them) instead of the active ones'),
    );

  renderOptions(templates.command('preview').description('render one e-mail to an HTML file (and its text part beside it); --open serves it on loopback'))
    .option('--out <file>', 'where to write the HTML (default reports/templates/<template>-<language>.html)')
    .option('--open', 'serve it on http://127.0.0.1 until Ctrl-C')
    .option('--port <port>', 'port for --open (default: a free one)', (value) => Number(value))
    .action(async (key: TemplateKey, options: TargetOptions & RenderOptions & { out?: string; open?: boolean; port: number }) => {
      const { email, who } = await render(key, options);
      const out = resolve(options.out ?? `${parts.reportsDir}/templates/${key}-${email.locale}.html`);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, email.html);
      const textOut = out.replace(/\.html?$/, '') + '.txt';
      await writeFile(textOut, `Subject: ${email.subject}\n\n${email.text}\n`);
      log(`${key} for ${who}, in ${email.locale}: "${email.subject}"`);
      log(`written to ${out} (text part: ${textOut})`);
      if (options.open) {
        const served = await parts.serveFile(out, options.port ?? 0);
        log(`open ${served.url} (Ctrl-C stops)`);
        await new Promise<void>((stop) => {
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await served.stop();
      }
    });

  renderOptions(templates.command('test-send').description('mail one e-mail, marked [Test], to an address: through the deployed stack\'s SES, or the local SES emulator'))
    .requiredOption('--to <address>', 'who gets it')
    .option('--ses-endpoint <url>', 'local stack: the SES emulator (as `npm start` serves it)', 'http://127.0.0.1:8005')
    .action(async (key: TemplateKey, options: TargetOptions & RenderOptions & { to: string; sesEndpoint: string }) => {
      if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(options.to)) throw new UsageError(`--to: '${maskEmail(options.to)}' is not an e-mail address`);
      const { email, who, config } = await render(key, options);
      const deployed = options.stack !== undefined || options.outputs !== undefined;
      const mailer = deployed
        ? new SesMailer({ ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) }, { from: senderAddress() })
        : new SesMailer(sesClientConfig(options.sesEndpoint), { from: senderAddress() });
      try {
        const id = await mailer.send({ to: options.to, fromName: config.brand.senderName, subject: `[Test] ${email.subject}`, html: email.html, text: email.text, tags: { purpose: 'template-test', template: key } });
        log(`${key} for ${who} sent to ${maskEmail(options.to)} ${deployed ? 'through SES' : `through the SES emulator at ${options.sesEndpoint}`} (message id ${id})`);
      } catch (error) {
        const reason = (error as Error).message;
        throw new UsageError(`test-send failed, nothing was sent: ${reason}${deployed ? '' : ` (is the SES emulator running? \`npm start\` serves it at http://127.0.0.1:8005)`}`);
      } finally {
        mailer.client.destroy();
      }
    });
};
