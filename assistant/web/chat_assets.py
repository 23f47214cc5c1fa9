"""What the chat page runs in the browser: its CSS and scripts (the layout and wiring are in `chat_ui`)."""
from __future__ import annotations

from assistant.web.theme import PAGE_MARGINS_CSS

CSS = PAGE_MARGINS_CSS + """
.gradio-container { max-width: 860px !important; margin: 0 auto !important; }
#ask-row { flex-wrap: nowrap; gap: 8px; align-items: stretch; }
#ask-row > #question { min-width: 0 !important; flex: 1 1 auto; }
#ask-row > #ask-button { flex: 0 0 auto; }
.in-frame #chat-title, .in-frame footer { display: none !important; }
#chatbot .top-panel { display: none; }  /* Gradio's trash icon: "Clear chat" below is the one control */
/* the welcome is not an answer: no thumbs or copy under it */
#chatbot .message-wrap > .message-row:first-child + .message-buttons { display: none; }
/* in the widget the chat fills the panel (outside @media: Gradio scopes those rules to the page's content) */
.in-frame #chatbot { height: calc(100dvh - 120px) !important; }
@media (max-width: 480px) {  /* a phone: the chat takes the screen, so the greeting and its examples show at once */
  #chat-title h2 { font-size: 1.15rem; margin: 4px 0; }
  #chatbot { height: calc(100dvh - 190px) !important; }
  #chatbot .options { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 6px; margin: 4px 0 0;
                     width: auto; max-width: none; }
  #chatbot .options .option { width: auto; max-width: 100%; padding: 6px 10px; }
}
"""
# Inside the widget's iframe the panel has its own title bar: drop the page title and footer; and
# Escape closes the panel even when the focus is in the chat (the widget listens for the message).
# On every page: the welcome is shown from its top (Gradio scrolls a chat to its end, which on a
# phone hides the greeting), and the Sources toggle's inner arrow button, unlabeled and nested in
# the toggle, is taken out of the focus order and the accessibility tree (the toggle stays).
# Copying a reply gives the quote, its source's title and its address as plain text: no bold
# marks, escapes or Sources list (Gradio's copy button copies the Markdown of the whole group).
PAGE_JS = r"""() => {
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(String(text)
      .replace(/\n[^\n]* \(\d+\)\n\s*1\. [\s\S]*$/, '')
      .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, '$1 ($2)')
      .replace(/\*\*/g, '')
      .replace(/\\([\\`*_{}\[\]()#+\-.!|<>~])/g, '$1')
      .trim());
  }
  if (window.self !== window.top) {
    document.body.classList.add('in-frame');
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') window.parent.postMessage('ask-us:close', '*');
    });
  }
  let welcomed = false;
  const tidy = () => {
    document.querySelectorAll('#chatbot .title .arrow button:not([inert])').forEach((arrow) => {
      arrow.inert = true;
      arrow.tabIndex = -1;
    });
    const wrap = document.querySelector('#chatbot .bubble-wrap');
    const alone = wrap && !wrap.querySelector('[data-testid="user"]');
    if (alone && !welcomed) {  // Gradio scrolls down again as the examples render: hold the top a moment
      for (let wait = 100; wait <= 1500; wait += 200) setTimeout(() => { wrap.scrollTop = 0; }, wait);
    }
    welcomed = Boolean(alone);
  };
  new MutationObserver(tidy).observe(document.body, {subtree: true, childList: true});
  tidy();
}"""
# After the page loads and after each reply: the page's language (a hidden textbox the server sets, see
# `page_language`) becomes the document's `lang`, so screen readers read the page's texts in their language
# (Gradio sets it to its own locale, English for a Mongolian browser); and the page's title (its "## " heading)
# becomes the tab's, which gr.Blocks' `title` leaves English.
SET_LANGUAGE_JS = """(language, title) => {
  if (language) document.documentElement.lang = language;
  const heading = String(title || '').replace(/^#+\\s*/, '').trim();
  if (heading) document.title = heading;
}"""
