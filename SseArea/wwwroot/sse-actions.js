// Turbo Streams' actions, applied by <sse-stream actions> (sse-stream.js): an event whose text is one or more
// <turbo-stream action="append|prepend|replace|update|remove|before|after" target="id" | targets="selector">
// <template>HTML</template></turbo-stream> elements, as ISseViews publishes them (docs/live-views.md).
// Inserted markup never runs script: the HTML is parsed inert (a <template>), and before it enters the document its
// <script>, <meta>, <base>, <iframe>, <object> and <embed> elements, its on* attributes, srcdoc, and javascript: URLs
// are taken out (Turbo, by contrast, re-activates scripts). This is a belt, not a sanitizer: only trusted publishers
// may write to a channel whose pages apply actions (docs/live-views.md, Safety).

const actions = {
  append: (target, content) => target.append(withoutDuplicates(target, content)),
  prepend: (target, content) => target.prepend(withoutDuplicates(target, content)),
  replace: (target, content) => target.replaceWith(content),
  update: (target, content) => target.replaceChildren(content),
  remove: (target) => target.remove(),
  before: (target, content) => target.before(content),
  after: (target, content) => target.after(content),
};

const inertElements = "script, meta, base, iframe, frame, object, embed";
const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "srcset"]);

/** Whether an event's text is a stream action (starts with a <turbo-stream> element). */
export function isStreamAction(text) {
  return /^\s*<turbo-stream[\s>]/i.test(text);
}

/** Applies each <turbo-stream> of the text to the document; returns how many elements were acted on. */
export function applyStreamActions(text) {
  const parsed = document.createElement("template");
  parsed.innerHTML = text;
  let applied = 0;
  for (const stream of parsed.content.children) {
    const name = stream.getAttribute("action");
    const apply = stream.localName === "turbo-stream" && Object.hasOwn(actions, name) ? actions[name] : null;
    if (!apply) {
      console.warn(`<sse-stream actions>: not a stream action (${stream.localName} action="${name}"), skipped.`);
      continue;
    }
    const template = [...stream.children].find((child) => child.localName === "template");
    if (template) {
      makeInert(template.content);
    }
    for (const target of targetsOf(stream)) {
      apply(target, template ? document.importNode(template.content, true) : document.createDocumentFragment());
      applied++;
    }
  }
  return applied;
}

function targetsOf(stream) {
  const id = stream.getAttribute("target");
  if (id) {
    const target = document.getElementById(id);
    return target ? [target] : [];
  }
  const selector = stream.getAttribute("targets");
  try {
    return selector ? [...document.querySelectorAll(selector)] : [];
  } catch {
    console.warn(`<sse-stream actions>: targets="${selector}" is not a CSS selector, skipped.`);
    return [];
  }
}

// Done on the template's inert content, before it is imported: an <img onerror> must not load in the document first.
function makeInert(content) {
  content.querySelectorAll(inertElements).forEach((element) => element.remove());
  for (const element of content.querySelectorAll("*")) {
    for (const { name, value } of [...element.attributes]) {
      const lower = name.toLowerCase();
      if (lower.startsWith("on") || lower === "srcdoc" || (urlAttributes.has(lower) && /^\s*javascript:/i.test(value.replace(/[\u0000-\u001f]/g, "")))) {
        element.removeAttribute(name);
      }
    }
  }
  for (const template of content.querySelectorAll("template")) {
    makeInert(template.content);
  }
}

// Turbo's rule for append and prepend: a child of the target whose id the new content has is replaced, not doubled.
function withoutDuplicates(target, content) {
  for (const element of content.children) {
    if (element.id) {
      [...target.children].filter((child) => child.id === element.id).forEach((child) => child.remove());
    }
  }
  return content;
}
