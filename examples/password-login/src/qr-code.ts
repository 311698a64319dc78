import { encode } from 'uqr';
import { html, type Html } from './html.ts';

/** The quiet zone around the code, in modules: ISO/IEC 18004 asks for 4. */
const QUIET_ZONE = 4;

/**
 * `text` as a QR code, an inline SVG drawn on the server: no image request, nothing sent to a
 * third-party QR service (the text is an enrolment's `otpauth://` URI, which holds its secret),
 * and nothing the page's Content-Security-Policy must allow (`fill` is a presentation attribute,
 * not an inline style). One square path per dark module, black on white whatever the page's
 * colours, for scanners.
 *
 * @param label What the picture is, for screen readers (`role="img"` with `aria-label`).
 */
export function qrCodeSvg(text: string, label: string): Html {
  // Error correction M (15%): a phone still reads it off a screen at an angle or in glare.
  const { size, data } = encode(text, { ecc: 'M', border: QUIET_ZONE });
  let path = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  // The path is digits and M/h/v/z only: nothing in it needs escaping.
  const squares: Html = { html: path };
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    class="qr-code"
    role="img"
    aria-label="${label}"
    viewBox="0 0 ${size} ${size}"
    width="${size * 4}"
    height="${size * 4}"
    shape-rendering="crispEdges"
  >
    <rect width="${size}" height="${size}" fill="#fff" />
    <path fill="#000" d="${squares}" />
  </svg>`;
}
