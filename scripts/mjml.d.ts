// The part of MJML 5's API the layout build uses (the package ships no types).
declare module 'mjml' {
  interface MjmlError {
    readonly formattedMessage: string;
  }
  interface MjmlOptions {
    readonly validationLevel?: 'strict' | 'soft' | 'skip';
    readonly filePath?: string;
    readonly ignoreIncludes?: boolean;
    readonly includePath?: string | readonly string[];
    readonly minify?: boolean;
    readonly keepComments?: boolean;
  }
  export default function mjml2html(mjml: string, options?: MjmlOptions): Promise<{ readonly html: string; readonly errors: readonly MjmlError[] }>;
}
