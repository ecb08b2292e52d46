// Progressive enhancement for the pages; every page works without it. Loaded with `defer` from this
// origin only (the CSP allows no inline script).
(() => {
  /** A component tree: a region's box stands for all its components, "Whole page" for everything. */
  function enhanceTree(tree) {
    const root = tree.querySelector('input[data-role="page"]');
    const regions = [...tree.querySelectorAll('fieldset[data-region]')].map((fieldset) => ({
      parent: fieldset.querySelector('input[data-role="region"]'),
      children: [...fieldset.querySelectorAll('input[data-role="component"]')],
    }));
    const leaves = regions.flatMap((r) => (r.parent ? [r.parent] : r.children));

    const syncRegion = (region) => {
      if (!region.parent || region.children.length === 0) return;
      const checked = region.children.filter((c) => c.checked).length;
      region.parent.checked = checked === region.children.length;
      region.parent.indeterminate = checked > 0 && checked < region.children.length;
    };
    const syncRoot = () => {
      if (!root || leaves.length === 0) return;
      const full = leaves.filter((l) => l.checked).length;
      const partial = leaves.some((l) => l.indeterminate);
      root.checked = full === leaves.length;
      root.indeterminate = !root.checked && (full > 0 || partial);
    };

    for (const region of regions) {
      region.parent?.addEventListener('change', () => {
        for (const child of region.children) child.checked = region.parent.checked;
        syncRoot();
      });
      for (const child of region.children) {
        child.addEventListener('change', () => {
          syncRegion(region);
          syncRoot();
        });
      }
    }
    root?.addEventListener('change', () => {
      for (const region of regions) {
        for (const box of [region.parent, ...region.children]) {
          if (!box) continue;
          box.checked = root.checked;
          box.indeterminate = false;
        }
      }
    });
    for (const region of regions) syncRegion(region);
    syncRoot();
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
    const email = form.querySelector('input[type="email"]');
    form.addEventListener('submit', (event) => {
      const errors = [];
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
      const tree = form.querySelector('[data-tree]');
      if (tree && !tree.querySelector('input[name="topic"]:checked')) {
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

  for (const tree of document.querySelectorAll('[data-tree]')) enhanceTree(tree);
  for (const form of document.querySelectorAll('form[data-validate]')) validateOnSubmit(form);
  // A page that comes back with errors or a result puts the reader (and the screen reader) right there.
  document.querySelector('[data-error-summary], [data-focus]')?.focus();
})();
