import { markdownExtract, renderMarkdown } from './markdown';

describe('descriptions as Markdown', () => {
  it('renders headings (below the page\'s own), lists, emphasis and links', () => {
    const html = renderMarkdown('# Pegel\n\n- Rhein\n- Mosel\n\n**wichtig** und [Quelle](https://example.org/q), siehe [Hilfe](/hilfe) oder [Mail](mailto:a@example.org)');
    expect(html).toContain('<h3>Pegel</h3>');
    expect(html).toContain('<ul>\n<li>Rhein</li>\n<li>Mosel</li>\n</ul>');
    expect(html).toContain('<strong>wichtig</strong>');
    expect(html).toContain('<a href="https://example.org/q" rel="nofollow ugc">Quelle</a>');
    expect(html).toContain('<a href="/hilfe" rel="nofollow ugc">Hilfe</a>');
    expect(html).toContain('<a href="mailto:a@example.org" rel="nofollow ugc">Mail</a>');
  });

  it('shows script tags and raw HTML as text, never as markup', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <b onclick="x()">fett</b>');
    expect(html).not.toMatch(/<script|<img|<b /);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b onclick=&quot;x()&quot;&gt;fett&lt;/b&gt;');
  });

  it('makes no link of javascript:, data: or vbscript: addresses, however they are written', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', '&#106;avascript:alert(1)', 'data:text/html,<script>x</script>', 'vbscript:msgbox(1)', '//evil.example/x']) {
      const html = renderMarkdown(`[klick](${href}) ![bild](${href})`);
      expect({ href, html }).toEqual({ href, html: expect.not.stringMatching(/<a |<img /) });
    }
    expect(renderMarkdown('<javascript:alert(1)>')).not.toContain('<a ');
  });

  it('shows an image as a link to it, loading nothing from elsewhere', () => {
    expect(renderMarkdown('![Karte](https://example.org/k.png)')).toContain('<a href="https://example.org/k.png" rel="nofollow ugc">Karte</a>');
  });

  it('gives a list the start of a description as plain words', () => {
    expect(markdownExtract('## Titel\n\nMit **fett** und [Link](https://x.example).')).toBe('Titel Mit fett und Link.');
    expect(markdownExtract('a '.repeat(300), 10)).toBe('a a a a a …');
  });
});
