"""The look both web apps share (the visitor chat and the staff console)."""
from __future__ import annotations

import gradio as gr

# System fonts: the pages make no request to any third-party host.
THEME = gr.themes.Soft(
    primary_hue="amber",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
).set(
    # WCAG AA: white on amber-500 is 2.1:1, on amber-700 5.0:1; amber icons and the light
    # placeholder were about 2.2 and 2.5:1, gray-600 (the neutral hue) on white is 7.6:1
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white",
    block_label_text_color="*neutral_600",
    input_placeholder_color="*neutral_600",
    block_title_text_color="*primary_800",  # on the amber-100 label: 6.4:1 (amber-500 was 1.9:1)
    block_info_text_color="*neutral_600",
    body_text_color_subdued="*neutral_600",  # e.g. an empty dropdown's text: neutral-400 was 2.5:1
    color_accent="*primary_700",  # the selected tab's name on white: amber-500 was 2.1:1
)
# Both pages' margins, narrow on a phone. Gradio scopes a page's CSS within @media to its content,
# which the margins are outside of, so they scale with the screen instead.
PAGE_MARGINS_CSS = ".gradio-container > .main { padding-inline: clamp(8px, 4vw - 8px, 32px) !important; }\n"
