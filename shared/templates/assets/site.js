// Progressive enhancement for the pages; every page works without it. Loaded with `defer` from this
// origin only (the CSP allows no inline script).
(() => {
  /**
   * A component tree, tri-state. Ticking a region (or "Whole page") ticks everything under it; unticking
   * anything under a ticked region or page unticks that too, since it no longer means all of it. A region
   * is never ticked for the person when they tick its components one by one: a ticked region also means
   * components added later, which only they can choose. A box with some of its parts ticked shows mixed.
   */
  function enhanceTree(tree) {
    const root = tree.querySelector('input[data-role="page"]');
    const regions = [...tree.querySelectorAll('fieldset[data-region]')].map((fieldset) => ({
      parent: fieldset.querySelector('input[data-role="region"]'),
      children: [...fieldset.querySelectorAll('input[data-role="component"]')],
    }));
    const parts = [...tree.querySelectorAll('input[name="topic"]')].filter((box) => box !== root);

    const showMixed = () => {
      for (const { parent, children } of regions) {
        if (parent) parent.indeterminate = !parent.checked && children.some((c) => c.checked);
      }
      if (root) root.indeterminate = !root.checked && parts.some((p) => p.checked || p.indeterminate);
    };

    root?.addEventListener('change', () => {
      for (const box of parts) box.checked = root.checked;
      showMixed();
    });
    for (const { parent, children } of regions) {
      parent?.addEventListener('change', () => {
        for (const child of children) child.checked = parent.checked;
        if (!parent.checked && root) root.checked = false;
        showMixed();
      });
      for (const child of children) {
        child.addEventListener('change', () => {
          if (!child.checked) {
            if (parent) parent.checked = false;
            if (root) root.checked = false;
          }
          showMixed();
        });
      }
    }
    showMixed();
  }

  /** The same error summary the server renders, for the same mistakes, before anything is sent. */
  function showErrors(form, errors) {
    const main = document.querySelector('main');
    main.querySelector('[data-error-summary]')?.remove();
    for (const old of form.querySelectorAll('[data-client-error]')) old.remove();
    for (const field of form.querySelectorAll('.field-error')) field.classList.remove('field-error');
    if (errors.length === 0) return;

    const summary = document.createElement('div');
    summary.className = 'error-summary';
    summary.setAttribute('role', 'alert');
    summary.setAttribute('tabindex', '-1');
    summary.setAttribute('aria-labelledby', 'error-summary-title');
    summary.dataset.errorSummary = '';
    const title = document.createElement('h2');
    title.id = 'error-summary-title';
    title.textContent = 'There is a problem';
    const list = document.createElement('ul');
    for (const error of errors) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#${error.target.id}`;
      link.textContent = error.message;
      item.append(link);
      list.append(item);

      const message = document.createElement('span');
      message.className = 'error-message';
      message.dataset.clientError = '';
      message.textContent = error.message;
      error.container.classList.add('field-error');
      error.anchor.after(message);
    }
    summary.append(title, list);
    main.querySelector('h1')?.after(summary);
    summary.focus();
  }

  function validateOnSubmit(form) {
    form.addEventListener('submit', (event) => {
      const errors = [];
      // The address that counts: the one shown (a webhook's owner's, when a webhook is chosen).
      const email = [...form.querySelectorAll('input[type="email"]')].find(
        (input) => !input.closest('[hidden]'),
      );
      const value = email?.value.trim() ?? '';
      if (email && !value) {
        errors.push({
          message: form.dataset.errorEmailMissing,
          target: email,
          container: email.parentElement,
          anchor: email.previousElementSibling,
        });
      } else if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
        errors.push({
          message: form.dataset.errorEmailFormat,
          target: email,
          container: email.parentElement,
          anchor: email.previousElementSibling,
        });
      }
      // A form may hold several trees (one per status page): any ticked box anywhere will do.
      const tree = form.querySelector('[data-tree]');
      if (tree && !form.querySelector('input[name="topic"]:checked')) {
        const first = tree.querySelector('input[name="topic"]');
        errors.push({
          message: form.dataset.errorTopics,
          target: first,
          container: tree,
          anchor: tree.querySelector('legend'),
        });
      }
      showErrors(form, errors);
      if (errors.length > 0) event.preventDefault();
    });
  }

  // Where updates go: only the fields of the channel chosen are shown (all of them without the script).
  function enhanceChannels(form) {
    const choices = form.querySelectorAll('input[name="channel"]');
    const show = () => {
      const chosen = form.querySelector('input[name="channel"]:checked')?.value ?? 'email';
      for (const group of form.querySelectorAll('[data-channel]'))
        group.hidden = !group.dataset.channel.split(' ').includes(chosen);
    };
    for (const choice of choices) choice.addEventListener('change', show);
    if (choices.length > 0) show();
  }

  // The feed links follow what is ticked, as the server draws them: the ticked regions and the components
  // ticked outside them, each sorted; the whole page when it (or nothing) is ticked.
  function enhanceFeeds(form, section) {
    const page = form.querySelector('input[name="page"]')?.value ?? '';
    const update = () => {
      const ticked = [...form.querySelectorAll('input[name="topic"]:checked')];
      const regions = [];
      const components = [];
      if (!ticked.some((box) => box.dataset.role === 'page')) {
        for (const box of ticked) {
          if (box.dataset.role === 'region') regions.push(box.value.slice(`G#${page}#`.length));
          const inTickedRegion = box
            .closest('fieldset[data-region]')
            ?.querySelector('input[data-role="region"]:checked');
          if (box.dataset.role === 'component' && !inTickedRegion)
            components.push(box.value.slice(`C#${page}#`.length));
        }
      }
      const query = new URLSearchParams([
        ...[...new Set(regions)].sort().map((id) => ['region', id]),
        ...[...new Set(components)].sort().map((id) => ['component', id]),
      ]).toString();
      for (const link of section.querySelectorAll('a[data-feed]'))
        link.href = query ? `${link.dataset.feed}?${query}` : link.dataset.feed;
    };
    form.addEventListener('change', update);
    update();
  }

  // Times in mail (a maintenance window) in the reader's own time zone: the browser knows it.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const field of document.querySelectorAll('input[data-time-zone]')) field.value = zone || '';

  for (const tree of document.querySelectorAll('[data-tree]')) enhanceTree(tree);
  for (const form of document.querySelectorAll('form[data-validate]')) {
    enhanceChannels(form);
    validateOnSubmit(form);
  }
  const feeds = document.querySelector('[data-feeds]');
  const subscribeForm = document.querySelector('form[action="/subscribe"]');
  if (feeds && subscribeForm) enhanceFeeds(subscribeForm, feeds);
  // A page that comes back with errors or a result puts the reader (and the screen reader) right there.
  document.querySelector('[data-error-summary], [data-focus]')?.focus();
})();
