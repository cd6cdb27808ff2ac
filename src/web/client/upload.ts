/**
 * The upload island: the resource form (`form[data-upload-form]`, a plain multipart POST without JavaScript) is sent
 * with XMLHttpRequest instead, so its `<progress>` shows how much of the file has gone. The server answers as it does
 * to the plain form: a redirect to the resource page (followed), or the form again with its messages, which then
 * replaces the page's content.
 */
function bind(form: HTMLFormElement): void {
  const box = form.querySelector<HTMLElement>('[data-upload-progress]');
  const bar = form.querySelector<HTMLProgressElement>('progress');
  const status = form.querySelector<HTMLElement>('[data-upload-status]');
  if (!box || !bar || !status) return;
  const say = (text: string): void => {
    if (status.textContent !== text) status.textContent = text;
  };
  form.addEventListener('submit', (event) => {
    // A second click while the form is being sent does nothing.
    if (form.dataset.sending === 'true') {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    form.dataset.sending = 'true';
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (submit) submit.disabled = true;
    box.hidden = false;
    bar.value = 0;
    let lastSaid = -1;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      // Screen readers hear it in steps of a quarter, not every percent.
      const step = Math.floor(percent / 25) * 25;
      if (step !== lastSaid) {
        lastSaid = step;
        say((bar.dataset.textTemplate ?? '{percent} %').replace('{percent}', String(step)));
      }
    });
    xhr.upload.addEventListener('load', () => {
      bar.value = 100;
      say(bar.dataset.textDone ?? '');
    });
    const failed = (): void => {
      form.dataset.sending = 'false';
      if (submit) submit.disabled = false;
      say(bar.dataset.textFailed ?? '');
    };
    xhr.addEventListener('error', failed);
    xhr.addEventListener('abort', failed);
    xhr.addEventListener('load', () => {
      const landed = xhr.responseURL && new URL(xhr.responseURL).pathname !== new URL(form.action, location.href).pathname;
      if (xhr.status === 200 && landed) {
        location.assign(xhr.responseURL);
        return;
      }
      // The form again (messages beside fields) or an error page: show what the server answered in place of the page's content.
      const doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
      const main = doc.querySelector('main');
      const here = document.querySelector('main');
      if (!main || !here) {
        failed();
        return;
      }
      here.innerHTML = main.innerHTML;
      document.title = doc.title;
      for (const f of Array.from(here.querySelectorAll<HTMLFormElement>('form[data-upload-form]'))) bind(f);
      const focus = here.querySelector<HTMLElement>('.error-summary') ?? here.querySelector<HTMLElement>('h1');
      if (focus) {
        if (!focus.hasAttribute('tabindex')) focus.setAttribute('tabindex', '-1');
        focus.focus();
      }
    });
    xhr.send(new FormData(form));
  });
}

for (const form of Array.from(document.querySelectorAll<HTMLFormElement>('form[data-upload-form]'))) bind(form);
