/** Channel name patterns of the server API's `channels` method, as Centrifugo reads them (gobwas/glob). */

/** A glob of the `channels` method (gobwas/glob as Centrifugo uses it): `*`, `?`, `[abc]`, `[!a-z]`, `{a,b}`. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let inClass = false;
  let inAlt = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '\\' ? '\\\\' : c;
    } else if (c === '\\' && i + 1 < pattern.length) out += `\\${pattern[++i]!}`;
    else if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      inClass = true;
      out += pattern[i + 1] === '!' ? (i++, '[^') : '[';
    } else if (c === '{') {
      inAlt = true;
      out += '(?:';
    } else if (c === '}' && inAlt) {
      inAlt = false;
      out += ')';
    } else if (c === ',' && inAlt) out += '|';
    else out += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  // Throws a SyntaxError for a class the engine cannot read (`[z-a]`).
  return new RegExp(`^${out}$`, 'su');
}
