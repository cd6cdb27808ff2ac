import MarkdownIt from 'markdown-it';

/**
 * Descriptions (a dataset's notes, a resource's, an organization's or group's) as Markdown, the way CKAN renders them,
 * on the server. Whatever a steward or a harvested catalog wrote must never become markup or script on our pages:
 * raw HTML is not markup here (markdown-it escapes it as text), links go only to http(s), mailto and addresses on
 * this site, images are shown as their alternative text with a link (no third-party requests from a page), and every
 * link carries rel="nofollow ugc" (text from others, as CKAN marks it).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });

/** http(s), mailto and relative addresses (a path, a fragment, a query); anything else (javascript:, data:, vbscript:) is not a link. */
export function safeLink(href: string): boolean {
  const h = href.trim();
  if (/^(https?:|mailto:)/i.test(h)) return true;
  // A relative address has no scheme before its first / ? or #; `//host` is another site, which http(s) covers explicitly.
  return !/^[a-z][a-z0-9+.-]*:/i.test(h) && !h.startsWith('//') && !h.startsWith('\\');
}
md.validateLink = safeLink;

const renderToken = md.renderer.renderToken.bind(md.renderer);
md.renderer.rules.link_open = (tokens, idx, options) => {
  tokens[idx].attrSet('rel', 'nofollow ugc');
  return renderToken(tokens, idx, options);
};
// An image becomes a link to it under its alternative text: a description must not load anything from elsewhere.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = token.attrGet('src') ?? '';
  const alt = md.utils.escapeHtml(token.content || src);
  return safeLink(src) ? `<a href="${md.utils.escapeHtml(src)}" rel="nofollow ugc">${alt}</a>` : alt;
};
// Headings in a description sit under the page's own h1/h2: they start at h3, so the page's outline stays true.
md.renderer.rules.heading_open = (tokens, idx, options) => {
  const level = Math.min(6, Number(tokens[idx].tag.slice(1)) + 2);
  tokens[idx].tag = `h${level}`;
  return renderToken(tokens, idx, options);
};
md.renderer.rules.heading_close = (tokens, idx, options) => {
  const level = Math.min(6, Number(tokens[idx].tag.slice(1)) + 2);
  tokens[idx].tag = `h${level}`;
  return renderToken(tokens, idx, options);
};

/** A description's Markdown as safe HTML (see above). */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

/** A description's start as plain text (result lists; CKAN's markdown_extract): the words, without the Markdown marks. */
export function markdownExtract(text: string, max = 240): string {
  // Only the start is read: a list shows a line or two, whatever the description's length.
  const tokens = md.parse(text.slice(0, max * 4), {});
  const words: string[] = [];
  for (const t of tokens) {
    if (t.type !== 'inline') continue;
    words.push((t.children ?? []).map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : c.type === 'softbreak' || c.type === 'hardbreak' ? ' ' : '')).join(''));
  }
  const plain = words.join(' ').replace(/\s+/g, ' ').trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}
