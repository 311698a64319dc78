import { decodeQR } from 'qr/decode.js';
import { describe, expect, it } from 'vitest';
import { qrCodeSvg } from '../src/qr-code.ts';

/** Draws the SVG's squares (`M{x} {y}h1v1h-1z`, one per dark module) as RGBA pixels. */
function rasterize(svg: string, scale: number) {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const width = size * scale;
  const data = new Uint8Array(width * width * 4).fill(255);
  for (const [, x, y] of svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        data.set([0, 0, 0, 255], at);
      }
    }
  }
  return { width, height: width, data };
}

describe('qrCodeSvg', () => {
  const uri =
    'otpauth://totp/127.0.0.1:new%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=127.0.0.1&algorithm=SHA1&digits=6&period=30';

  it('draws a QR code that a decoder reads back as the text', () => {
    const svg = qrCodeSvg(uri, 'QR code').html;
    expect(decodeQR(rasterize(svg, 4))).toBe(uri);
  });

  it('has a quiet zone of 4 modules around the code', () => {
    const svg = qrCodeSvg(uri, 'QR code').html;
    const size = Number(/viewBox="0 0 (\d+) /.exec(svg)?.[1]);
    const squares = [...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map(([, x, y]) => [
      Number(x),
      Number(y),
    ]);
    expect(squares.length).toBeGreaterThan(100);
    expect(Math.min(...squares.flat())).toBe(4);
    expect(Math.max(...squares.flat())).toBe(size - 5);
  });

  it('is an image for screen readers, with its label escaped, and no inline style', () => {
    const svg = qrCodeSvg(uri, 'Scan "this" <now>').html;
    expect(svg).toMatch(/^<svg\s/);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Scan &quot;this&quot; &lt;now&gt;"');
    expect(svg).not.toMatch(/\sstyle=/);
    expect(svg).not.toContain('<style');
  });
});
