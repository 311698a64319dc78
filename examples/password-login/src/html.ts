/**
 * Escapes text for HTML element content and double-quoted attribute values (OWASP XSS
 * prevention, rule 1 and 2): every page interpolates user-controlled text through this.
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Marks a string as HTML already built by these templates, so it is not escaped again. */
export interface Html {
  readonly html: string;
}

/** What a template may interpolate: text and numbers are escaped, {@link Html} is kept. */
export type HtmlValue = string | number | Html | readonly Html[] | undefined;

/**
 * A tagged template that escapes every interpolated value unless it is {@link Html} (or an array
 * of them): `html\`<p>${userText}</p>\``.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { html: out };
}

function render(value: HtmlValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if ('html' in value) return value.html;
  return value.map((part) => part.html).join('');
}
