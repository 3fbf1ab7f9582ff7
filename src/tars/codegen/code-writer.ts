/** A tiny line buffer with indentation, so emitters read like the code they produce. */
export class CodeWriter {
  readonly #lines: string[] = [];
  #indent = 0;
  /** True right after {@link open}, so an empty block closes on the same line: `{}`. */
  #justOpened = false;

  /** Appends one line at the current indentation (an empty call appends a blank line). */
  line(text = ''): this {
    this.#lines.push(text === '' ? '' : '  '.repeat(this.#indent) + text);
    this.#justOpened = false;
    return this;
  }

  /** Writes `text` and indents what follows, until the matching {@link close}. */
  open(text: string): this {
    this.line(text);
    this.#indent++;
    this.#justOpened = true;
    return this;
  }

  /** Ends the innermost {@link open} with `text`. */
  close(text = '}'): this {
    this.#indent--;
    if (this.#justOpened) {
      this.#justOpened = false;
      this.#lines.push((this.#lines.pop() as string) + text);
      return this;
    }
    return this.line(text);
  }

  toString(): string {
    return this.#lines.join('\n') + '\n';
  }
}

/** A single-quoted TypeScript string literal (the project's prettier style). */
export function quote(s: string): string {
  let out = "'";
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + "'";
}
