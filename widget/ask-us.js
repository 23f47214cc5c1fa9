/*
 * "Ask us": a floating button that opens the Sustainable Cashmere Union chat in a panel.
 * Add it to any page with one tag (see snippet.html):
 *   <script src="https://CHAT-HOST/widget/ask-us.js" data-chat-url="https://CHAT-HOST/" defer></script>
 * The chat runs in an iframe, so the page's styles and scripts and the chat's never mix.
 * Its texts follow the visitor's language: the chat serves them (widget/texts.json, from the app's
 * messages.toml); the English below is only for when the chat cannot be reached.
 */
(function () {
  "use strict";
  if (window.__askUsWidget) return; // pasted twice: keep one button
  window.__askUsWidget = true;

  var script = document.currentScript;
  var chatUrl = chatAddress(script);

  // only when /widget/texts.json cannot be fetched (the chat down, or the site's CSP lacks connect-src)
  var ENGLISH = {title: "Ask the Sustainable Cashmere Union", widget_button: "Ask us", widget_close: "Close",
                 widget_frame_title: "Chat with the Sustainable Cashmere Union"};
  var TEXTS_WAIT_MS = 3000; // a chat that does not answer: show the button in English rather than none

  function chatAddress(tag) {
    var given = tag && tag.getAttribute("data-chat-url");
    if (given) return given;
    if (tag && /^https?:/.test(tag.src)) return new URL("/", tag.src).href; // served by the chat itself
    return "http://127.0.0.1:7860/"; // the page was opened from disk: a chat on this computer
  }

  var css =
    "#ask-us-button{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:999px;" +
    "padding:12px 20px;font:600 16px/1.2 system-ui,sans-serif;color:#fff;background:#b45309;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    "#ask-us-button:focus-visible{outline:3px solid #fbbf24;outline-offset:2px}" +
    "#ask-us-panel{position:fixed;right:20px;bottom:80px;z-index:2147483000;display:none;flex-direction:column;" +
    "width:min(420px,calc(100vw - 24px));height:min(680px,calc(100vh - 100px));background:#fff;" +
    "border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3)}" +
    "#ask-us-panel.ask-us-open{display:flex}" +
    "#ask-us-bar{display:flex;justify-content:space-between;align-items:center;padding:8px 12px;" +
    "font:600 15px system-ui,sans-serif;color:#fff;background:#b45309}" +
    "#ask-us-close{border:0;background:transparent;color:#fff;font-size:22px;line-height:1;cursor:pointer}" +
    "#ask-us-frame{flex:1;width:100%;border:0}" +
    "#ask-us-button.ask-us-hidden{display:none}" +
    "@media (max-width:480px){#ask-us-panel{inset:0;width:100%;height:100%;height:100dvh;border-radius:0}" +
    "#ask-us-button{right:12px;bottom:12px}}";

  // The host page's <html lang> wins over navigator.language: it is the language of the page around the
  // button, which the visitor chose by reading it (the union's French pages in an English browser), and
  // the widget should not speak another. The browser's languages decide when the page names none the
  // chat has. The chat opens in the same language (?lang=), so the button and the panel agree.
  function pickLanguage(available) {
    var wanted = [document.documentElement.lang].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var language = String(wanted[i] || "").split("-")[0].toLowerCase();
      if (Object.prototype.hasOwnProperty.call(available, language)) return language;
    }
    return "en";
  }

  // done(language, texts); language "" when the texts could not be had: the button is English, and the
  // chat is left to pick its language from the browser's
  function loadTexts(done) {
    var finished = false;
    function finish(language, texts) {
      if (finished) return;
      finished = true;
      done(language, texts);
    }
    setTimeout(function () { finish("", ENGLISH); }, TEXTS_WAIT_MS);
    try {
      fetch(new URL("widget/texts.json", new URL(chatUrl, window.location.href)).href, {credentials: "omit"})
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (all) {
          var language = pickLanguage(all);
          finish(language, all[language] || ENGLISH);
        })
        .catch(function () { finish("", ENGLISH); });
    } catch (error) { // no fetch, or an unusable chat address
      finish("", ENGLISH);
    }
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (text) node.textContent = text;
    return node;
  }

  function mount(language, texts) {
    function text(key) { return texts[key] || ENGLISH[key]; }
    document.head.appendChild(element("style", {}, css));
    var said = language || "en";
    var button = element("button", {id: "ask-us-button", type: "button", lang: said, "aria-expanded": "false",
                                     "aria-controls": "ask-us-panel"}, text("widget_button"));
    var panel = element("div", {id: "ask-us-panel", role: "dialog", lang: said, "aria-label": text("title")});
    var bar = element("div", {id: "ask-us-bar"}, text("title"));
    var close = element("button", {id: "ask-us-close", type: "button", "aria-label": text("widget_close")}, "\u00d7");
    bar.appendChild(close);
    panel.appendChild(bar);
    document.body.appendChild(panel);
    document.body.appendChild(button);

    var frame = null;
    function toggle(open) {
      if (open && !frame) { // load the chat only when first opened; "widget" names the channel in the log
        frame = element("iframe", {id: "ask-us-frame", src: chatPage(chatUrl, language),
                                   title: text("widget_frame_title"), allow: "clipboard-write"});
        panel.appendChild(frame);
      }
      panel.classList.toggle("ask-us-open", open);
      button.classList.toggle("ask-us-hidden", open); // one close control while open: the panel's own
      button.setAttribute("aria-expanded", String(open));
      if (open) close.focus();
      else button.focus();
    }
    button.addEventListener("click", function () { toggle(true); });
    close.addEventListener("click", function () { toggle(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && panel.classList.contains("ask-us-open")) toggle(false);
    });
    // Escape pressed inside the chat: the chat page tells its parent (a key press never crosses the frame)
    window.addEventListener("message", function (event) {
      if (frame && event.source === frame.contentWindow && event.data === "ask-us:close") toggle(false);
    });
  }

  function chatPage(url, language) {
    var address = new URL(url, window.location.href);
    address.searchParams.set("channel", "widget");
    if (language) address.searchParams.set("lang", language);
    return address.href;
  }

  loadTexts(function (language, texts) {
    if (document.body) mount(language, texts);
    else document.addEventListener("DOMContentLoaded", function () { mount(language, texts); });
  });
})();
