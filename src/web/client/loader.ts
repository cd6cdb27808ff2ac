/**
 * The loader island: while a resource's DataStore load waits or runs (`section[data-loader=busy]`), the page is read
 * again every few seconds and the state shown in place (its live region announces the change). Once the load has
 * finished, the whole page's content is replaced, so the DataStore table preview appears. Without JavaScript the
 * section's refresh link does the same by hand.
 */
const EVERY_MS = 2000;

async function poll(): Promise<void> {
  const res = await fetch(location.pathname + location.search, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const next = doc.querySelector<HTMLElement>('section[data-loader]');
  const here = document.querySelector<HTMLElement>('section[data-loader]');
  if (!next || !here) return;
  if (next.dataset.loader === 'busy') {
    const live = here.querySelector('[data-loader-live]');
    const nextLive = next.querySelector('[data-loader-live]');
    if (live && nextLive && live.innerHTML !== nextLive.innerHTML) live.innerHTML = nextLive.innerHTML;
    setTimeout(() => void poll(), EVERY_MS);
    return;
  }
  const main = doc.querySelector('main');
  const hereMain = document.querySelector('main');
  if (main && hereMain) hereMain.innerHTML = main.innerHTML;
}

if (document.querySelector('section[data-loader=busy]')) setTimeout(() => void poll(), EVERY_MS);
