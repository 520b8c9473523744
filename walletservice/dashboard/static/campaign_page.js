// The campaign page's live pass preview (docs/dashboard.md, "Campaign page").
// Typing in the editor rewrites the preview in the browser, with no request to the server:
// a field's label or value box names its key (field:<key>:label), the preview marks the
// same key (data-field-key) and part (data-part). Colours set the preview's CSS variables
// once they parse; a chosen image is read as a data: URL (the page's CSP allows data:
// images, not blob:) and shown in its place. Saving posts the form as usual.
"use strict";

const COLOUR_VARIABLES = {
  background_color: "--pass-background",
  text_color: "--pass-foreground",
  label_color: "--pass-label",
};
const HEX_COLOUR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const RGB_COLOUR = /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/i;

function findPreview() {
  return document.querySelector('[data-testid="pass-preview"]');
}

function showField(preview, input) {
  // field:<key>:<part>, where the key itself may hold a colon
  const key = input.name.slice("field:".length, input.name.lastIndexOf(":"));
  const part = input.name.slice(input.name.lastIndexOf(":") + 1);
  preview.querySelectorAll("[data-field-key]").forEach((field) => {
    if (field.dataset.fieldKey !== key) return;
    const text = field.querySelector(`[data-part="${part}"]`);
    if (text) text.textContent = input.value;
  });
}

function showColour(preview, input) {
  const value = input.value.trim();
  if (HEX_COLOUR.test(value) || RGB_COLOUR.test(value)) {
    preview.style.setProperty(COLOUR_VARIABLES[input.name], value);
  }
  // Wallet draws labels in the text colour when the pass sets no label colour of its own.
  const labelColour = input.form.elements.namedItem("label_color");
  if (labelColour && !labelColour.value.trim()) {
    preview.style.setProperty("--pass-label", preview.style.getPropertyValue("--pass-foreground"));
  }
}

function showImage(preview, input) {
  const file = input.files && input.files[0];
  const place = preview.querySelector(`[data-image="${input.dataset.imageRole}"]`);
  if (!file || !place) return;
  const reader = new FileReader();
  reader.onload = () => {
    if (place.tagName === "IMG") place.src = reader.result;
    else place.style.backgroundImage = `url("${reader.result}")`;
    place.hidden = false;  // a place the design had left empty
  };
  reader.readAsDataURL(file);
}

function followEditor(form) {
  const preview = findPreview();
  if (!preview) return;
  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input.name && input.name.startsWith("field:")) showField(preview, input);
    else if (input.dataset.colour) showColour(preview, input);
  });
  form.addEventListener("change", (event) => {
    if (event.target.dataset.imageRole) showImage(preview, event.target);
  });
}

// A poll the server refuses (the job purged, the campaign gone, the session ended) would be
// asked again every second for as long as the tab stays open: htmx polls an element while
// it is in the page, so the element is replaced by a copy that does not poll.
function stopRefusedProgressPolls() {
  document.body.addEventListener("htmx:responseError", (event) => {
    const progress = event.detail.elt;
    if (!progress.matches || !progress.matches('[data-testid="push-progress"]')) return;
    const stopped = progress.cloneNode(true);
    ["hx-get", "hx-trigger", "hx-swap"].forEach((name) => stopped.removeAttribute(name));
    stopped.dataset.state = "unknown";
    const state = stopped.querySelector('[data-testid="push-state"]');
    if (state) state.textContent = `unknown (HTTP ${event.detail.xhr.status}): reload the page`;
    progress.replaceWith(stopped);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("campaign-editor");
  if (form) followEditor(form);
  stopRefusedProgressPolls();
});
