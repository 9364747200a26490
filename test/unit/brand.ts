import { defaultConfig, type Brand } from '../../functions/core/config.js';

/** The shipped brand under another business name: what the templates and pages tests render with. */
export const brandNamed = (name: string): Brand => ({ ...defaultConfig.brand, name });
