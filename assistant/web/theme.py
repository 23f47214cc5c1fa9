"""The look both web apps share (the visitor chat and the staff console)."""
from __future__ import annotations

import gradio as gr

# System fonts: the pages make no request to any third-party host.
THEME = gr.themes.Soft(
    primary_hue="amber",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)
