// The text guard on a form (issue 3, TCVN 6909): when the user leaves a text field
// marked data-text-guard, text typed or pasted in a legacy encoding (TCVN3, VNI, VIQR)
// or as decomposed Unicode is converted at once by POST /api/v1/text/convert, and a
// notice under the field shows before → after with an undo button. Undo puts the typed
// text back and lists the field in the hidden keep_as_typed input, so the server stores
// it as typed (still NFC). Without this script the server converts on save and says so
// on the next page. Messages come from the page (json_script "text-guard-messages");
// everything from the user is inserted as text, never as HTML.
(function () {
  "use strict";
  const form = document.querySelector("form[data-text-guard-url]");
  const messagesNode = document.getElementById("text-guard-messages");
  if (!form || !messagesNode) return;
  const url = form.dataset.textGuardUrl;
  const text = JSON.parse(messagesNode.textContent);
  const keepInput = form.querySelector("input[name=keep_as_typed]");
  const csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!keepInput || !csrfInput) return;
  const keep = new Set(keepInput.value.split(",").map((s) => s.trim()).filter(Boolean));

  function saveKeep() {
    keepInput.value = Array.from(keep).sort().join(",");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function notice(input) {
    let box = form.querySelector('[data-text-notice="' + input.name + '"]');
    if (!box) {
      box = document.createElement("div");
      box.className = "form-text vb-text-notice";
      box.dataset.textNotice = input.name;
      box.setAttribute("role", "status");
      input.insertAdjacentElement("afterend", box);
    }
    box.replaceChildren();
    return box;
  }

  function clearNotice(input) {
    const box = form.querySelector('[data-text-notice="' + input.name + '"]');
    if (box) box.remove();
  }

  function button(label, action, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-link btn-sm p-0 ms-2 align-baseline";
    b.dataset.textAction = action;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function showConverted(input, before, after, source) {
    const box = notice(input);
    const message = document.createElement("span");
    if (source === "unicode") {
      message.textContent = text.nfc;
      box.append(message);
      return;
    }
    const label = text.sources[source] || source.toUpperCase();
    message.textContent = fill(text.converted, { source: label, before: before, after: after });
    box.append(
      message,
      button(text.undo, "undo", () => {
        input.value = before;
        keep.add(input.name);
        saveKeep();
        showKept(input, () => {
          input.value = after;
          showConverted(input, before, after, source);
        });
      }),
    );
  }

  function showKept(input, redo) {
    const box = notice(input);
    const message = document.createElement("span");
    message.textContent = text.kept;
    box.append(
      message,
      button(text.redo, "redo", () => {
        keep.delete(input.name);
        saveKeep();
        redo();
      }),
    );
  }

  async function check(input) {
    if (keep.has(input.name)) return; // the user chose to keep this field as typed
    const value = input.value;
    if (!value.trim()) {
      clearNotice(input);
      return;
    }
    let reply;
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfInput.value },
        body: JSON.stringify({ text: value }),
      });
      if (!response.ok) return; // the server still converts on save
      reply = await response.json();
    } catch (error) {
      return;
    }
    if (input.value !== value) return; // edited meanwhile: the next change checks again
    if (!reply.changed) {
      clearNotice(input);
      return;
    }
    input.value = reply.text;
    showConverted(input, value, reply.text, reply.source);
  }

  form.querySelectorAll("[data-text-guard]").forEach((input) => {
    input.addEventListener("change", () => check(input));
    if (keep.has(input.name)) {
      // Back from a refused save: the choice stands, and can still be reversed.
      showKept(input, () => check(input));
    }
  });
})();
